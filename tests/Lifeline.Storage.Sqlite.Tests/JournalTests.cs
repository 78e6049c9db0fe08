using Lifeline.Testing;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>
/// Routine pings go to the ping log and reach events and monitors when they are folded; events
/// live in a ring per monitor. The background fold is off here, so each test decides when folds
/// happen (reads and other writes fold).
/// </summary>
public sealed class JournalTests : IAsyncLifetime
{
    private SqliteFixture _f = null!;
    private readonly List<string> _folders = [];

    public async Task InitializeAsync() =>
        _f = await SqliteFixture.OpenAsync(o => o with { FoldWhenIdle = false, EventsKept = 5 });

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

    /// <summary>The pings of <paramref name="monitorId"/> in the ping log, by message.</summary>
    private static List<string?> Logged(string databasePath, string monitorId) =>
        [.. PingLog.ReadAll(databasePath).Where(r => (string?)r.Values[0] == monitorId).Select(r => (string?)r.Values[5])];

    private async Task<Monitor> UpMonitorAsync(string name = "backup")
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(name), Ct);
        // The first signal changes the status, so it is written in full.
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("first"), Ct);
        return monitor;
    }

    [Fact]
    public async Task Routine_pings_wait_in_the_ping_log_yet_every_read_sees_them()
    {
        var monitor = await UpMonitorAsync();
        for (var i = 1; i <= 3; i++)
        {
            _f.Clock.Advance(TimeSpan.FromSeconds(10));
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"ping {i}"), Ct);
        }
        Logged(_f.DatabasePath, monitor.Id).ShouldBe(["ping 1", "ping 2", "ping 3"]);
        Count(_f.DatabasePath, "events").ShouldBe(1);

        var read = await _f.Store.FindAsync(monitor.Id, Ct);

        read!.LastMessage.ShouldBe("ping 3");
        read.LastSignalAt.ShouldBe(_f.Clock.GetUtcNow());
        read.EventCount.ShouldBe(4);
        (await _f.Store.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["ping 3", "ping 2", "ping 1", "first"]);
        Count(_f.DatabasePath, "events").ShouldBe(4);
    }

    [Theory]
    [InlineData(Durability.Balanced)]
    [InlineData(Durability.Power)]
    [InlineData(Durability.Process)]
    public async Task Pings_in_the_ping_log_at_a_crash_are_folded_at_the_next_start(Durability durability)
    {
        await _f.ReopenAsync(o => o with { FoldWhenIdle = false, EventsKept = 5, Durability = durability });
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("before the crash"), Ct);
        var crashed = NewFolder();
        _f.CopyFilesTo(crashed);
        Logged(Path.Combine(crashed, "lifeline.db"), monitor.Id).ShouldBe(["before the crash"]);
        Count(Path.Combine(crashed, "lifeline.db"), "events").ShouldBe(1);

        await using var restarted = await SqliteFixture.Open(crashed, _f.Clock, o => o with { FoldWhenIdle = false, EventsKept = 5 });

        Count(Path.Combine(crashed, "lifeline.db"), "events").ShouldBe(2);
        (await restarted.FindAsync(monitor.Id, Ct))!.LastMessage.ShouldBe("before the crash");
        (await restarted.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["before the crash", "first"]);
    }

    [Fact]
    public async Task A_flip_after_journaled_pings_is_not_undone_by_a_later_fold()
    {
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("still fine"), Ct);
        Logged(_f.DatabasePath, monitor.Id).ShouldBe(["still fine"]);

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
    public async Task Deleting_a_monitor_deletes_its_logged_pings_too()
    {
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("last words"), Ct);

        (await _f.Store.DeleteAsync(monitor.Id, Ct)).ShouldBeTrue();

        Count(_f.DatabasePath, "events").ShouldBe(0);
        await _f.ReopenAsync();
        Count(_f.DatabasePath, "events").ShouldBe(0);
        (await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up(), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
    }

    [Fact]
    public async Task A_long_log_is_written_from_its_start_again_and_a_crash_after_that_reads_back_only_new_pings()
    {
        await _f.ReopenAsync(o => o with { FoldWhenIdle = false, EventsKept = 5, PingLogWrapAt = 2048 });
        var monitor = await UpMonitorAsync();
        for (var i = 1; i <= 40; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"p{i}"), Ct);
        }
        // Each record is over 100 bytes: the newest are written over the oldest.
        var logged = Logged(_f.DatabasePath, monitor.Id);
        logged.ShouldContain("p40");
        logged.ShouldNotContain("p1");
        logged.Count.ShouldBeLessThan(40);
        Count(_f.DatabasePath, "events").ShouldBeGreaterThan(1);

        var crashed = NewFolder();
        _f.CopyFilesTo(crashed);
        await using var restarted = await SqliteFixture.Open(crashed, _f.Clock, o => o with { FoldWhenIdle = false, EventsKept = 5, PingLogWrapAt = 2048 });

        var read = await restarted.FindAsync(monitor.Id, Ct);
        read!.LastMessage.ShouldBe("p40");
        read.EventCount.ShouldBe(41);
        (await restarted.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["p40", "p39", "p38", "p37", "p36"]);
    }

    [Fact]
    public async Task A_damaged_record_ends_the_log_after_a_crash()
    {
        var monitor = await UpMonitorAsync();
        for (var i = 1; i <= 3; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"ping {i}"), Ct);
        }
        var crashed = NewFolder();
        _f.CopyFilesTo(crashed);
        // A torn write: the last record's message is not what its checksum covers.
        var log = Path.Combine(crashed, "lifeline.db" + PingLog.Suffix);
        var bytes = File.ReadAllBytes(log);
        var at = bytes.AsSpan().LastIndexOf("ping 3"u8);
        at.ShouldBeGreaterThan(0);
        bytes[at + 5] = (byte)'X';
        File.WriteAllBytes(log, bytes);

        await using var restarted = await SqliteFixture.Open(crashed, _f.Clock, o => o with { FoldWhenIdle = false, EventsKept = 5 });

        (await restarted.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["ping 2", "ping 1", "first"]);
        (await restarted.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(3);
    }

    [Fact]
    public async Task An_idle_writer_folds_waiting_pings_without_being_asked()
    {
        await _f.ReopenAsync(o => o with { FoldWhenIdle = true, EventsKept = 5 });
        var monitor = await UpMonitorAsync();
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("folded when idle"), Ct);

        // Read behind the store's back: its own reads would fold first.
        await Eventually.GetAsync(() => Task.FromResult(Count(_f.DatabasePath, "events")), n => n == 2);
    }

    [Fact]
    public void The_log_reads_back_every_kind_of_value_it_writes()
    {
        var folder = NewFolder();
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "x.db");
        object?[] values = [null, 0L, long.MinValue, long.MaxValue, 3.25, double.NegativeInfinity, "", "héllo ✓ 😀", new string('x', 70_000)];
        using (var log = PingLog.Open(database, durable: true))
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            PingLog.Encode(buffer, 7, values);
            PingLog.Encode(buffer, 8, [42, "int becomes long"]);
            log.Write(buffer.WrittenSpan, fromStart: false);
        }
        using var reopened = PingLog.Open(database, durable: true);

        var records = reopened.ReadAll();

        records.Select(r => r.Generation).ShouldBe([7L, 8L]);
        records[0].Values.ShouldBe(values);
        records[1].Values.ShouldBe([42L, "int becomes long"]);
        reopened.Offset.ShouldBeGreaterThan(70_000);
    }

    [Fact]
    public async Task A_crash_while_monitor_rows_lag_their_folded_events_loses_nothing_even_with_a_new_ring_size()
    {
        await _f.ReopenAsync(o => o with { FoldWhenIdle = true, EventsKept = 5 });
        var monitor = await UpMonitorAsync();
        for (var i = 1; i <= 8; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"m{i}"), Ct);
        }
        // Idle folds write the events at once; the monitor's row follows within a second.
        await Eventually.GetAsync(() => Task.FromResult(Count(_f.DatabasePath, "events")), n => n == 5);
        var crashed = NewFolder();
        _f.CopyFilesTo(crashed);

        await using var restarted = await SqliteFixture.Open(crashed, _f.Clock, o => o with { FoldWhenIdle = false, EventsKept = 3 });

        (await restarted.EventsAsync(monitor.Id, 10, Ct)).Select(e => e.Msg).ShouldBe(["m8", "m7", "m6"]);
        var read = await restarted.FindAsync(monitor.Id, Ct);
        read!.EventCount.ShouldBe(9);
        read.LastMessage.ShouldBe("m8");
    }
}
