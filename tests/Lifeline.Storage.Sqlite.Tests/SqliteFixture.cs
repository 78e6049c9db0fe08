using Lifeline.Storage.Conformance;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>A real SQLite file in a fresh temp folder, opened with a manual clock.</summary>
public sealed class SqliteFixture : StoreFixture
{
    private SqliteFixture(string folder, ManualClock clock, SqliteStore store)
        : base(clock)
    {
        Folder = folder;
        Store = store;
    }

    public string Folder { get; }
    public SqliteStore Store { get; private set; }
    public string DatabasePath => Path.Combine(Folder, "lifeline.db");

    protected override object Current => Store;

    public static async Task<SqliteFixture> OpenAsync(Func<SqliteOptions, SqliteOptions>? change = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var clock = new ManualClock();
        var store = await Open(folder, clock, change);
        return new SqliteFixture(folder, clock, store);
    }

    public override Task ReopenAsync(int? eventsKept = null) =>
        ReopenAsync(eventsKept is { } kept ? o => o with { EventsKept = kept } : null);

    /// <summary>Closes the store and opens the same file again, as a restart would.</summary>
    public async Task ReopenAsync(Func<SqliteOptions, SqliteOptions>? change)
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

    public override async ValueTask DisposeAsync()
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
