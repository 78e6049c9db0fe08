using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>
/// Routine pings go to the journal and reach events and monitors when it is folded; events live
/// in a ring per monitor. The background fold is off here, so each test decides when folds happen.
/// </summary>
public sealed class JournalTests : IAsyncLifetime
{
    private StoreFixture _f = null!;
    private readonly List<string> _folders = [];

    public async Task InitializeAsync() =>
        _f = await StoreFixture.OpenAsync(o => o with { FoldEvery = Timeout.InfiniteTimeSpan, EventsKept = 5 });

    public async Task DisposeAsync()
    {
        await _f.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CancellationToken Ct => CancellationToken.None;

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        return folder;
    }

    private static long Count(string databasePath, string table)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private async Task<Monitor> UpMonitorAsync(string name = "backup")
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(name), Ct);
        // The first signal changes the status, so it is written in full.
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("first"), Ct);
        return monitor;
    }

    [Fact]
    public async Task Routine_pings_wait_in_the_journal_yet_every_read_sees_them()
    {
        var monitor = await UpMonitorAsync();
        for (var i = 1; i <= 3; i++)
        {
            _f.Clock.Advance(TimeSpan.FromSeconds(10));
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"ping {i}"), Ct);
        }
        Count(_f.DatabasePath, "journal").ShouldBe(3);

        var read = await _f.Store.FindAsync(monitor.Id, Ct);

        read!.LastMessage.ShouldBe("ping 3");
        read.LastSignalAt.ShouldBe(_f.Clock.GetUtcNow());
        read.EventCount.ShouldBe(4);
        (await _f.Store.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["ping 3", "ping 2", "ping 1", "first"]);
        Count(_f.DatabasePath, "journal").ShouldBe(0);
    }

    [Fact]
    public async Task Pings_in_the_journal_at_a_crash_are_folded_at_the_next_start()
    {
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("before the crash"), Ct);
        var crashed = NewFolder();
        _f.CopyFilesTo(crashed);
        Count(Path.Combine(crashed, "lifeline.db"), "journal").ShouldBe(1);

        await using var restarted = await StoreFixture.Open(crashed, _f.Clock, o => o with { FoldEvery = Timeout.InfiniteTimeSpan, EventsKept = 5 });

        Count(Path.Combine(crashed, "lifeline.db"), "journal").ShouldBe(0);
        (await restarted.FindAsync(monitor.Id, Ct))!.LastMessage.ShouldBe("before the crash");
        (await restarted.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["before the crash", "first"]);
    }

    [Fact]
    public async Task A_flip_after_journaled_pings_is_not_undone_by_a_later_fold()
    {
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("still fine"), Ct);
        Count(_f.DatabasePath, "journal").ShouldBe(1);

        var flips = await _f.Store.FlipAsync([monitor], m => Flip.Quiet(m, m with { Status = MonitorStatus.Late }), Ct);
        flips.Count.ShouldBe(1);

        var read = await _f.Store.FindAsync(monitor.Id, Ct);
        read!.Status.ShouldBe(MonitorStatus.Late);
        read.LastMessage.ShouldBe("still fine");
        (await _f.Store.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["still fine", "first"]);
    }

    [Fact]
    public async Task The_ring_keeps_the_last_events_of_each_monitor_and_is_laid_out_again_when_its_size_changes()
    {
        var monitor = await UpMonitorAsync();
        var other = await UpMonitorAsync("other");
        for (var i = 1; i <= 11; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"m{i}"), Ct);
        }
        await _f.Store.RecordAsync(SignalAddress.ForToken(other.PushToken!), _f.Up("o1"), Ct);

        (await _f.Store.EventsAsync(monitor.Id, 100, Ct)).Select(e => e.Msg).ShouldBe(["m11", "m10", "m9", "m8", "m7"]);
        (await _f.Store.EventsAsync(other.Id, 100, Ct)).Select(e => e.Msg).ShouldBe(["o1", "first"]);
        Count(_f.DatabasePath, "events").ShouldBe(7);

        await _f.ReopenAsync(o => o with { EventsKept = 3 });
        (await _f.Store.EventsAsync(monitor.Id, 100, Ct)).Select(e => e.Msg).ShouldBe(["m11", "m10", "m9"]);

        await _f.ReopenAsync(o => o with { EventsKept = 4 });
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("m12"), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Down("m13"), Ct);
        (await _f.Store.EventsAsync(monitor.Id, 100, Ct)).Select(e => e.Msg).ShouldBe(["m13", "m12", "m11", "m10"]);
        (await _f.Store.EventsAsync(monitor.Id, 100, Ct)).Select(e => e.Id).ShouldBe([14L, 13, 12, 11]);
    }

    [Fact]
    public async Task Deleting_a_monitor_deletes_its_journaled_pings_too()
    {
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("last words"), Ct);

        (await _f.Store.DeleteAsync(monitor.Id, Ct)).ShouldBeTrue();

        Count(_f.DatabasePath, "journal").ShouldBe(0);
        Count(_f.DatabasePath, "events").ShouldBe(0);
        (await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up(), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
    }
}
