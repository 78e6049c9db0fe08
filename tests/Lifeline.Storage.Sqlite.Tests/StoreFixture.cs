using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>A real SQLite file in a fresh temp folder, opened with a manual clock.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    private StoreFixture(string folder, ManualClock clock, SqliteStore store)
    {
        Folder = folder;
        Clock = clock;
        Store = store;
    }

    public string Folder { get; }
    public ManualClock Clock { get; }
    public SqliteStore Store { get; private set; }
    public string DatabasePath => Path.Combine(Folder, "lifeline.db");

    public static async Task<StoreFixture> OpenAsync(Func<SqliteOptions, SqliteOptions>? change = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var clock = new ManualClock();
        var store = await Open(folder, clock, change);
        return new StoreFixture(folder, clock, store);
    }

    /// <summary>Closes the store and opens the same file again, as a restart would.</summary>
    public async Task ReopenAsync(Func<SqliteOptions, SqliteOptions>? change = null)
    {
        await Store.DisposeAsync();
        Store = await Open(Folder, Clock, change);
    }

    /// <summary>
    /// What a crash leaves: copies the database and its logs, as they are on disk now, to
    /// <paramref name="folder"/>, while this store stays open and never gets to fold or checkpoint.
    /// </summary>
    public void CopyFilesTo(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var suffix in new[] { "", "-wal", PingLog.Suffix })
        {
            File.Copy(DatabasePath + suffix, Path.Combine(folder, "lifeline.db" + suffix));
        }
    }

    public static async Task<SqliteStore> Open(string folder, TimeProvider clock, Func<SqliteOptions, SqliteOptions>? change = null)
    {
        var options = new SqliteOptions { Path = Path.Combine(folder, "lifeline.db") };
        var store = new SqliteStore(change is null ? options : change(options), clock, NullLogger<SqliteStore>.Instance);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public Monitor NewPush(string name = "backup", int periodSeconds = 60, int graceSeconds = 0, params string[] channels) => new()
    {
        Id = Secrets.NewId(),
        Name = name,
        PushToken = Secrets.NewPushToken(),
        Period = TimeSpan.FromSeconds(periodSeconds),
        Grace = TimeSpan.FromSeconds(graceSeconds),
        Channels = channels,
        CreatedAt = Clock.GetUtcNow(),
    };

    public Signal Up(string msg = "OK") => new() { Kind = SignalKind.Push, At = Clock.GetUtcNow(), Message = msg };

    public Signal Down(string msg = "failed") => new() { Kind = SignalKind.Push, Ok = false, At = Clock.GetUtcNow(), Message = msg };

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
