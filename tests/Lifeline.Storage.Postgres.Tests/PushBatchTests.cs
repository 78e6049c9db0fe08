using Lifeline.Storage.Conformance;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lifeline.Storage.Postgres.Tests;

public sealed class PostgresConcurrentSignalTests : ConcurrentSignalTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

/// <summary>
/// Pushes arriving together share one transaction (group commit), and each is answered only after
/// the commit that holds it: a batch that fails acknowledges none of its pushes.
/// </summary>
public sealed class PushBatchTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly ManualClock _clock = new();
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private async Task<PostgresStore> OpenAsync(int lanes = 4, int eventsKept = 100)
    {
        var options = new PostgresOptions { ConnectionString = _database.ConnectionString, EventsKept = eventsKept, PushLanes = lanes };
        var store = new PostgresStore(options, _clock, NullLogger<PostgresStore>.Instance);
        await store.MigrateAsync(Ct);
        return store;
    }

    private Monitor NewPush(string name) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Name = name,
        Kind = MonitorKind.Push,
        CreatedAt = _clock.GetUtcNow(),
        PushToken = Guid.NewGuid().ToString("N"),
        Period = TimeSpan.FromMinutes(5),
        Grace = TimeSpan.Zero,
    };

    private Signal Up(string message) => new() { Kind = SignalKind.Push, At = _clock.GetUtcNow(), Message = message };

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Makes the commit of any transaction that stored an event with <paramref name="message"/> fail
    /// with <paramref name="sqlState"/>: a deferred constraint trigger runs at commit.
    /// </summary>
    private Task FailCommitsOfAsync(string message, string sqlState) => ExecAsync(
        "CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
        $"IF NEW.msg = '{message}' THEN RAISE EXCEPTION 'commit refused' USING ERRCODE = '{sqlState}'; END IF; RETURN NULL; END $$; " +
        "CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT OR UPDATE ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_commit()");

    /// <summary>
    /// Holds <paramref name="monitor"/>'s row locked from another connection, so that the only lane's
    /// first batch waits on it while every later push queues up behind it; the lock goes on dispose.
    /// With <paramref name="mode"/> <c>FOR KEY SHARE</c>, an update of the row's state may go on and a locking read may not.
    /// </summary>
    private async Task<IAsyncDisposable> HoldAsync(Monitor monitor, string mode = "FOR UPDATE")
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT 1 FROM monitors WHERE id = '{monitor.Id}' {mode}", connection, transaction))
        {
            await command.ExecuteScalarAsync();
        }
        return new Held(connection, transaction);
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task WaitUntilWaitingOnALockAsync()
    {
        for (var i = 0; i < 500 && await ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{_database.Name}' AND wait_event_type = 'Lock'") == 0; i++)
        {
            await Task.Delay(10);
        }
    }

    private static async Task<(SignalResult? Result, Exception? Error)> Outcome(Task<SignalResult> push)
    {
        try
        {
            return (await push, null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    [Fact]
    public async Task Pushes_arriving_together_share_transactions()
    {
        await using var store = await OpenAsync();
        var monitors = new List<Monitor>();
        for (var i = 0; i < 20; i++)
        {
            monitors.Add(await store.AddAsync(NewPush($"m{i}"), Ct));
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.RecordAsync(SignalAddress.ForToken(monitors[i % 20].PushToken!), Up($"p{i}"), Ct)));

        (await ScalarAsync<long>("SELECT count(*) FROM events")).ShouldBe(200);
        // Rows written by one transaction carry its id: 200 pushes, far fewer commits.
        (await ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM events")).ShouldBeLessThan(50);
    }

    [Fact]
    public async Task Pushes_to_one_monitor_queued_one_after_another_are_applied_in_that_order()
    {
        await using var store = await OpenAsync(lanes: 1, eventsKept: 200);
        var monitor = await store.AddAsync(NewPush("ordered"), Ct);

        await Task.WhenAll(Enumerable.Range(0, 150).Select(i => store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up($"p{i}"), Ct)));

        var events = await store.EventsAsync(monitor.Id, 200, Ct);
        events.OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(Enumerable.Range(0, 150).Select(i => $"p{i}"));
        (await store.FindAsync(monitor.Id, Ct))!.LastMessage.ShouldBe("p149");
    }

    [Fact]
    public async Task A_batch_whose_commit_fails_for_want_of_the_database_acknowledges_none_of_its_pushes()
    {
        await using var store = await OpenAsync(lanes: 1);
        var blocker = await store.AddAsync(NewPush("blocker"), Ct);
        var monitors = new List<Monitor>();
        for (var i = 0; i < 5; i++)
        {
            monitors.Add(await store.AddAsync(NewPush($"m{i}"), Ct));
        }
        // 57P01: the server is shutting down, as when the database goes away at the commit.
        await FailCommitsOfAsync("vanish", "57P01");
        List<(SignalResult? Result, Exception? Error)> outcomes;
        var held = await HoldAsync(blocker);
        var first = Outcome(store.RecordAsync(SignalAddress.ForToken(blocker.PushToken!), Up("first"), Ct));
        await WaitUntilWaitingOnALockAsync();
        var messages = Enumerable.Range(0, 40).Select(i => i == 20 ? "vanish" : $"p{i}").ToList();
        var rest = messages.Select((m, i) => Outcome(store.RecordAsync(SignalAddress.ForToken(monitors[i % 5].PushToken!), Up(m), Ct))).ToList();
        await held.DisposeAsync();
        (await first).Error.ShouldBeNull();
        outcomes = [.. await Task.WhenAll(rest)];

        // The whole second batch was one transaction, and its commit failed: nobody got an answer.
        outcomes.ShouldAllBe(o => o.Error is StoreUnavailableException);
        (await ScalarAsync<long>("SELECT count(*) FROM events WHERE msg <> 'first'")).ShouldBe(0);
        // And the next push goes through.
        (await store.RecordAsync(SignalAddress.ForToken(monitors[0].PushToken!), Up("after"), Ct)).Outcome.ShouldBe(SignalOutcome.Recorded);
    }

    [Fact]
    public async Task A_push_that_fails_its_batch_for_its_own_reason_fails_alone_and_the_others_are_recorded()
    {
        await using var store = await OpenAsync(lanes: 1);
        var blocker = await store.AddAsync(NewPush("blocker"), Ct);
        var monitors = new List<Monitor>();
        for (var i = 0; i < 5; i++)
        {
            monitors.Add(await store.AddAsync(NewPush($"m{i}"), Ct));
        }
        // P0001: an error of the write itself, not of the database.
        await FailCommitsOfAsync("bad", "P0001");
        var held = await HoldAsync(blocker);
        var first = Outcome(store.RecordAsync(SignalAddress.ForToken(blocker.PushToken!), Up("first"), Ct));
        await WaitUntilWaitingOnALockAsync();
        var messages = Enumerable.Range(0, 40).Select(i => i == 20 ? "bad" : $"p{i}").ToList();
        var rest = messages.Select((m, i) => Outcome(store.RecordAsync(SignalAddress.ForToken(monitors[i % 5].PushToken!), Up(m), Ct))).ToList();
        await held.DisposeAsync();
        (await first).Error.ShouldBeNull();
        var outcomes = await Task.WhenAll(rest);

        outcomes[20].Error.ShouldBeOfType<PostgresException>().SqlState.ShouldBe("P0001");
        outcomes.Where((_, i) => i != 20).ShouldAllBe(o => o.Result!.Outcome == SignalOutcome.Recorded);
        (await ScalarAsync<long>("SELECT count(*) FROM events WHERE msg LIKE 'p%'")).ShouldBe(39);
        // Each monitor's pushes kept their order, the failed one left out.
        foreach (var (monitor, index) in monitors.Select((m, i) => (m, i)))
        {
            var events = await store.EventsAsync(monitor.Id, 100, Ct);
            events.OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(messages.Where((m, i) => i % 5 == index && m != "bad"));
        }
    }

    /// <summary>A new push monitor that <paramref name="store"/> has written once (so it knows the row), and its token's address.</summary>
    private async Task<(Monitor Monitor, SignalAddress Address)> KnownByAsync(PostgresStore store, string name, string first)
    {
        var monitor = await store.AddAsync(NewPush(name), Ct);
        var address = SignalAddress.ForToken(monitor.PushToken!);
        await store.RecordAsync(address, Up(first), Ct);
        return (monitor, address);
    }

    [Fact]
    public async Task A_push_to_a_row_the_server_wrote_last_needs_no_locking_read_and_another_server_s_does()
    {
        await using var store = await OpenAsync();
        await using var other = await OpenAsync();
        var (monitor, address) = await KnownByAsync(store, "known", "first");

        var held = await HoldAsync(monitor, "FOR KEY SHARE");
        // This server wrote the row last: its push only updates it, which a key-share lock allows.
        var known = await store.RecordAsync(address, Up("second"), Ct).WaitAsync(TimeSpan.FromSeconds(30));
        known.Outcome.ShouldBe(SignalOutcome.Recorded);
        known.Monitor!.EventCount.ShouldBe(2);
        // The other server never wrote it: it reads the row with FOR UPDATE, and waits for the lock.
        var unknown = other.RecordAsync(address, Up("third"), Ct);
        await WaitUntilWaitingOnALockAsync();
        unknown.IsCompleted.ShouldBeFalse();
        await held.DisposeAsync();
        (await unknown).Monitor!.EventCount.ShouldBe(3);

        (await store.EventsAsync(monitor.Id, 10, Ct)).OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(["first", "second", "third"]);
    }

    [Fact]
    public async Task A_row_another_server_wrote_since_is_read_again_and_then_known_anew()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var (monitor, address) = await KnownByAsync(a, "shared", "a1");
        await b.RecordAsync(address, Up("b1"), Ct);
        await b.RecordAsync(address, Up("b2"), Ct);

        // A's idea of the row is two writes old: had it written from it, it would reuse event 2.
        var again = await a.RecordAsync(address, Up("a2"), Ct);
        var after = await a.RecordAsync(address, Up("a3"), Ct);

        again.Monitor!.EventCount.ShouldBe(4);
        after.Monitor!.EventCount.ShouldBe(5);
        (await a.EventsAsync(monitor.Id, 10, Ct)).OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(["a1", "b1", "b2", "a2", "a3"]);
        (await b.FindAsync(monitor.Id, Ct))!.LastMessage.ShouldBe("a3");
    }

    [Fact]
    public async Task An_edit_on_another_server_counts_for_the_next_push_on_a_server_that_knew_the_row()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var (monitor, address) = await KnownByAsync(a, "edited", "before");

        await b.ChangeAsync(monitor.Id, m => Flip.Quiet(m, m with { Period = TimeSpan.FromMinutes(1) }), Ct);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var result = await a.RecordAsync(address, Up("after"), Ct);

        result.Monitor!.Period.ShouldBe(TimeSpan.FromMinutes(1));
        (await b.FindAsync(monitor.Id, Ct))!.NextDeadlineAt.ShouldBe(_clock.GetUtcNow() + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_monitor_deleted_on_another_server_is_not_found_by_a_server_that_knew_its_row()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var (monitor, address) = await KnownByAsync(a, "deleted", "before");

        (await b.DeleteAsync(monitor.Id, Ct)).ShouldBeTrue();

        (await a.RecordAsync(address, Up("after"), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
        (await ScalarAsync<long>("SELECT count(*) FROM events")).ShouldBe(0);
    }

    [Fact]
    public async Task A_push_after_a_sweep_marked_a_known_row_down_plans_the_recovery()
    {
        await using var store = await OpenAsync();
        var monitor = await store.AddAsync(NewPush("silent") with { Channels = ["ops"] }, Ct);
        var address = SignalAddress.ForToken(monitor.PushToken!);
        await store.RecordAsync(address, Up("alive"), Ct);
        _clock.Advance(TimeSpan.FromMinutes(6));
        var due = await store.DueAsync(MonitorKind.Push, _clock.GetUtcNow(), 10, Ct);
        (await store.FlipAsync(due, m => MonitorMachine.OnDue(m, _clock.GetUtcNow()), Ct)).ShouldHaveSingleItem().Next.Status.ShouldBe(MonitorStatus.Down);

        var back = await store.RecordAsync(address, Up("back"), Ct);

        back.Monitor!.Status.ShouldBe(MonitorStatus.Up);
        back.PlannedNotice.ShouldBeTrue();
        (await store.IncidentsAsync(monitor.Id, 10, Ct)).ShouldHaveSingleItem().EndedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Two_servers_pushing_to_the_same_monitors_at_once_store_every_push_once_in_each_monitor_s_order()
    {
        await using var a = await OpenAsync(eventsKept: 500);
        await using var b = await OpenAsync(eventsKept: 500);
        var monitors = new List<Monitor>();
        for (var i = 0; i < 4; i++)
        {
            monitors.Add(await a.AddAsync(NewPush($"m{i}"), Ct));
        }

        // Each server pushes to every monitor, one push after another per monitor and server.
        await Task.WhenAll(new[] { (Store: a, Name: "a"), (Store: b, Name: "b") }.SelectMany(server => monitors.Select(async monitor =>
        {
            for (var n = 0; n < 60; n++)
            {
                (await server.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up($"{server.Name}{n}"), Ct)).Outcome.ShouldBe(SignalOutcome.Recorded);
            }
        })));

        foreach (var monitor in monitors)
        {
            (await a.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(120);
            var events = (await a.EventsAsync(monitor.Id, 500, Ct)).OrderBy(e => e.Id).Select(e => e.Msg!).ToList();
            events.Count.ShouldBe(120);
            events.Where(m => m.StartsWith('a')).ShouldBe(Enumerable.Range(0, 60).Select(n => $"a{n}"));
            events.Where(m => m.StartsWith('b')).ShouldBe(Enumerable.Range(0, 60).Select(n => $"b{n}"));
        }
    }

    [Fact]
    public async Task A_batch_with_a_push_by_token_and_one_by_id_to_a_known_row_keeps_their_order_and_learns_nothing_stale()
    {
        await using var store = await OpenAsync(lanes: 1);
        var blocker = await store.AddAsync(NewPush("blocker"), Ct);
        var monitor = await store.AddAsync(NewPush("mixed") with { Channels = ["ops"] }, Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await store.RecordAsync(token, Up("known"), Ct);
        // The only lane waits on the blocker, so the next two pushes make one batch.
        var held = await HoldAsync(blocker);
        var first = store.RecordAsync(SignalAddress.ForToken(blocker.PushToken!), Up("first"), Ct);
        await WaitUntilWaitingOnALockAsync();
        var byToken = store.RecordAsync(token, Up("k"), Ct);
        var byId = store.RecordAsync(new SignalAddress { MonitorId = monitor.Id }, Up("d") with { Ok = false }, Ct);
        await held.DisposeAsync();
        await first;
        (await byToken).Outcome.ShouldBe(SignalOutcome.Recorded);
        (await byId).Monitor!.Status.ShouldBe(MonitorStatus.Down);

        // The next push starts from the row as the id push left it: down, so it plans the recovery.
        var back = await store.RecordAsync(token, Up("back"), Ct);

        back.Monitor!.Status.ShouldBe(MonitorStatus.Up);
        back.PlannedNotice.ShouldBeTrue();
        (await store.EventsAsync(monitor.Id, 10, Ct)).OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(["known", "k", "d", "back"]);
    }
    [Fact]
    public async Task A_ring_gone_round_keeps_the_newest_events_and_slots_pruned_away_are_filled_again_both_ways()
    {
        await using var store = await OpenAsync(eventsKept: 3);
        await using var other = await OpenAsync(eventsKept: 3);
        var (monitor, address) = await KnownByAsync(store, "ring", "1");
        // Round one inserts each slot, then the ring goes round: each push replaces the oldest.
        foreach (var message in new[] { "2", "3", "4", "5", "6", "7" })
        {
            await store.RecordAsync(address, Up(message), Ct);
        }
        (await store.EventsAsync(monitor.Id, 10, Ct)).OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(["5", "6", "7"]);

        // Events pruned away (by age, or a ring laid out anew): their slots are not there to update.
        await ExecAsync($"DELETE FROM events WHERE monitor_id = '{monitor.Id}' AND seq <> 7");
        await store.RecordAsync(address, Up("8"), Ct);
        await other.RecordAsync(address, Up("9"), Ct);

        (await store.EventsAsync(monitor.Id, 10, Ct)).OrderBy(e => e.Id).Select(e => e.Msg).ShouldBe(["7", "8", "9"]);
        (await ScalarAsync<long>($"SELECT count(*) FROM events WHERE monitor_id = '{monitor.Id}'")).ShouldBe(3);
    }

    [Fact]
    public async Task Pushes_look_monitors_up_by_key_even_where_the_planner_thinks_reading_the_whole_table_is_cheaper()
    {
        // Index look-ups priced as if each went to a slow disk: a plan left to the costs reads monitors whole.
        await ExecAsync($"ALTER DATABASE \"{_database.Name}\" SET random_page_cost = 400");
        var tokens = new List<SignalAddress>();
        await using (var setUp = await OpenAsync())
        {
            for (var i = 0; i < 40; i++)
            {
                tokens.Add(SignalAddress.ForToken((await setUp.AddAsync(NewPush($"m{i}"), Ct)).PushToken!));
            }
        }
        var before = await ScansOfMonitorsAsync();

        await using (var store = await OpenAsync())
        {
            // Twice round: the first push to each row reads it with a lock, the second writes what it knows.
            for (var round = 0; round < 2; round++)
            {
                var pushes = tokens.Select(t => store.RecordAsync(t, Up($"r{round}"), Ct)).ToArray();
                (await Task.WhenAll(pushes)).ShouldAllBe(r => r.Outcome == SignalOutcome.Recorded);
            }
        }

        var after = await ScansOfMonitorsAsync();
        after.Whole.ShouldBe(before.Whole);
        after.ByIndex.ShouldBeGreaterThanOrEqualTo(before.ByIndex + 80);
        (await ScalarAsync<long>("SELECT sum(event_count) FROM monitors")).ShouldBe(80);
    }

    /// <summary>
    /// How often monitors was read whole and by an index, once every other connection to the
    /// database is closed: a server process reports its counts as it ends.
    /// </summary>
    private async Task<(long Whole, long ByIndex)> ScansOfMonitorsAsync()
    {
        var alone = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString;
        async Task<(long, long, long)> ReadAsync()
        {
            await using var connection = new NpgsqlConnection(alone);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()), " +
                "seq_scan, idx_scan FROM pg_stat_user_tables WHERE relname = 'monitors'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        NpgsqlConnection.ClearAllPools();
        var last = (-1L, -1L, -1L);
        for (var i = 0; i < 500; i++)
        {
            var now = await ReadAsync();
            // Nobody else connected, and the counts as they were a moment ago: every report is in.
            if (now.Item1 == 0 && now == last)
            {
                return (now.Item2, now.Item3);
            }
            last = now;
            await Task.Delay(20);
        }
        throw new TimeoutException("Other connections to the test database stayed open");
    }
}
