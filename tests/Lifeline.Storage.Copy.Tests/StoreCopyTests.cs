using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeline.Storage.Postgres;
using Lifeline.Storage.Sqlite;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lifeline.Storage.Copy.Tests;

/// <summary>A real SQLite store filled through its ports, copied into a real PostgreSQL, read back through the PostgreSQL store's ports.</summary>
public sealed class StoreCopyTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempFolder _temp = new();
    private readonly ManualClock _clock = new();
    private PostgresServer _server = null!;
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _database = await _server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _temp.Dispose();
    }

    private string Folder => _temp.Path;

    private async Task<SqliteStore> OpenSqliteAsync(string? folder = null, int eventsKept = 100)
    {
        var store = new SqliteStore(new SqliteOptions { Path = Path.Combine(folder ?? Folder, "lifeline.db"), EventsKept = eventsKept },
            _clock, NullLogger<SqliteStore>.Instance);
        await store.MigrateAsync(Ct);
        return store;
    }

    private async Task<PostgresStore> OpenPostgresAsync(int eventsKept = 100)
    {
        var store = new PostgresStore(new PostgresOptions { ConnectionString = _database.ConnectionString, EventsKept = eventsKept },
            _clock, NullLogger<PostgresStore>.Instance);
        await store.MigrateAsync(Ct);
        return store;
    }

    private async Task<IReadOnlyList<TableCopied>> CopyAsync(string? folder = null, List<CopyProgress>? progress = null)
    {
        await using var copy = await StoreCopy.OpenAsync(folder ?? Folder, _database.ConnectionString, _clock, Ct, batch: 3);
        return await copy.CopyAsync(progress is null ? null : progress.Add, null, Ct);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private Signal Up(string msg) => new() { Kind = SignalKind.Push, At = _clock.GetUtcNow(), Message = msg, Value = 1.5, PingMs = 12, Source = "10.0.0.1" };

    private Signal Down(string msg) => new() { Kind = SignalKind.Push, Ok = false, At = _clock.GetUtcNow(), Message = msg };

    private Notice TestNotice(string reason) => new()
    {
        Type = Notice.TestType,
        At = _clock.GetUtcNow(),
        Reason = reason,
        Monitor = new NoticeMonitor { Id = "m1", Name = "backup", Kind = "push", Status = "up" },
    };

    /// <summary>What the stores hold, read through their ports, as text to compare.</summary>
    private sealed record Seen(
        List<string> Monitors, List<string> Events, List<string> Incidents, List<string> Channels, List<string> Deliveries,
        string Keys, string? PingKey, string Rollups, int Pending, string Users);

    private async Task<Seen> ReadAsync<TStore>(TStore store, IReadOnlyList<string> monitorIds)
        where TStore : IMonitorStore, IChannelStore, IOutboxStore, ISettingsStore, ICheckHistoryStore, IUserStore
    {
        var monitors = new List<string>();
        var events = new List<string>();
        var incidents = new List<string>();
        var rollups = new List<CheckRollup>();
        foreach (var id in monitorIds)
        {
            monitors.Add(Json(await ((IMonitorStore)store).FindAsync(id, Ct)));
            events.Add(Json(await store.EventsAsync(id, 1000, Ct)));
            incidents.Add(Json(await store.IncidentsAsync(id, 100, Ct)));
            rollups.AddRange(await store.RollupsAsync(id, DateTimeOffset.UnixEpoch, _clock.GetUtcNow().AddDays(1), Ct));
        }
        var channels = await ((IChannelStore)store).ListAsync(Ct);
        var deliveries = new List<string>();
        foreach (var channel in channels)
        {
            deliveries.Add(Json(await store.DeliveriesAsync(channel.Id, 100, Ct)));
        }
        return new Seen(monitors, events, incidents, [.. channels.Select(c => Json(c))], deliveries,
            Json(await store.ApiKeysAsync(Ct)), await store.GetAsync("pingKey", Ct), Json(rollups), await store.PendingCountAsync(Ct), Json(await store.UsersAsync(Ct)));
    }

    /// <summary>
    /// Push monitors (a period one with a channel, a cron one), an HTTP check with conditions and
    /// headers, pings, a down incident, a sent notice with its delivery and a pending one, an API
    /// key, the ping key. Returns the monitors' ids and the pending notice as claimed.
    /// </summary>
    private async Task<(List<string> Ids, OutboxItem Pending)> FillAsync(SqliteStore store)
    {
        await store.AddAsync(new ChannelConfig("hook", "webhook", "Hook", new JsonObject { ["url"] = "http://127.0.0.1:9/hook", ["secret"] = "s3cret" }, _clock.GetUtcNow()), Ct);
        var backup = await store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(), Name = "backup", Slug = "backup", PushToken = Secrets.NewPushToken(), Tags = ["prod", "db"],
            Period = TimeSpan.FromHours(1), Grace = TimeSpan.FromMinutes(5), Channels = ["hook"], RemindEvery = TimeSpan.FromHours(2),
            CreatedAt = _clock.GetUtcNow(),
        }, Ct);
        var nightly = await store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(), Name = "nightly", PushToken = Secrets.NewPushToken(), Schedule = "0 3 * * *", Tz = "Europe/Berlin",
            ManualResume = true, CreatedAt = _clock.GetUtcNow(),
        }, Ct);
        var site = await store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(), Name = "site", Kind = MonitorKind.Http, Target = "http://127.0.0.1:9/health", Interval = TimeSpan.FromSeconds(30),
            Conditions = ["[STATUS] == 200", "[RESPONSE_TIME] < 500"], Method = "POST", Headers = new Dictionary<string, string> { ["X-Token"] = "t" },
            Body = "{}", Retries = 2, RetryInterval = TimeSpan.FromSeconds(5), SuccessThreshold = 2, NotifyRecovery = false, CreatedAt = _clock.GetUtcNow(),
        }, Ct);

        var token = SignalAddress.ForToken(backup.PushToken!);
        for (var i = 1; i <= 4; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await store.RecordAsync(token, Up($"run {i}"), Ct);
        }
        _clock.Advance(TimeSpan.FromMinutes(1));
        // Down: an open incident and a notice to the channel.
        await store.RecordAsync(token, Down("disk full"), Ct);
        await store.RecordAsync(SignalAddress.ForToken(nightly.PushToken!), Up("nightly ok"), Ct);
        await store.RecordAsync(new SignalAddress { MonitorId = site.Id }, new Signal
        {
            Kind = SignalKind.Check, Ok = true, At = _clock.GetUtcNow(), DurationMs = 42, Message = "200 OK",
            Conditions = [new ConditionCheck("[STATUS] == 200", true, "200 == 200")],
        }, Ct);

        // The down notice is sent (a delivery row); a test notice stays pending.
        var now = _clock.GetUtcNow();
        var sent = (await store.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        await store.CompleteAsync(sent, new DeliveryOutcome(DeliveryState.Sent, now, null, null, 200), Ct);
        await store.EnqueueAsync("hook", TestNotice("still to send"), now, Ct);
        var pending = (await store.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        await store.ReleaseAsync(pending, Ct);

        await store.AddApiKeyAsync(new ApiKeyRecord("k-script", "script", [1, 2, 3, 250], true, _clock.GetUtcNow()), Ct);
        await store.GetOrAddAsync("pingKey", "ping-key-from-sqlite", Ct);
        await store.AddUserAsync(new User("u-ada", "Ada", "password-hash", User.Admin, "stamp-1", _clock.GetUtcNow()), false, Ct);
        await store.AddUserAsync(new User("u-bob", "bob", "other-hash", User.Viewer, "stamp-2", _clock.GetUtcNow()), false, Ct);
        return ([backup.Id, nightly.Id, site.Id], pending);
    }

    [Fact]
    public async Task Everything_a_sqlite_store_holds_reads_the_same_from_postgres_after_a_copy()
    {
        List<string> ids;
        OutboxItem pending;
        Seen before;
        await using (var sqlite = await OpenSqliteAsync())
        {
            (ids, pending) = await FillAsync(sqlite);
            before = await ReadAsync(sqlite, ids);
        }

        var progress = new List<CopyProgress>();
        var copied = await CopyAsync(progress: progress);

        await using var postgres = await OpenPostgresAsync();
        var after = await ReadAsync(postgres, ids);
        after.Monitors.ShouldBe(before.Monitors);
        after.Events.ShouldBe(before.Events);
        after.Incidents.ShouldBe(before.Incidents);
        after.Channels.ShouldBe(before.Channels);
        after.Deliveries.ShouldBe(before.Deliveries);
        after.Keys.ShouldBe(before.Keys);
        after.PingKey.ShouldBe("ping-key-from-sqlite");
        after.Rollups.ShouldBe(before.Rollups);
        after.Users.ShouldBe(before.Users);
        before.Users.ShouldContain("password-hash");
        (await postgres.FindUserByNameAsync("ADA", Ct))!.Id.ShouldBe("u-ada");
        after.Pending.ShouldBe(1);
        before.Incidents[0].ShouldContain("disk full");
        before.Events[0].ShouldContain("run 4");

        // The pending notice goes out from PostgreSQL with the same id and webhook-id.
        var claimed = (await postgres.ClaimAsync(_clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct)).Single();
        claimed.Id.ShouldBe(pending.Id);
        claimed.DeliveryId.ShouldBe(pending.DeliveryId);
        claimed.Notice.Reason.ShouldBe("still to send");

        // The token still reaches its monitor, and the open incident is the copied one.
        var backup = (await postgres.FindAsync(ids[0], Ct))!;
        var result = await postgres.RecordAsync(SignalAddress.ForToken(backup.PushToken!), Up("back"), Ct);
        result.Monitor!.Status.ShouldBe(MonitorStatus.Up);
        var incidents = await postgres.IncidentsAsync(ids[0], 10, Ct);
        incidents.Single().EndedAt.ShouldNotBeNull();
        (await postgres.EventsAsync(ids[0], 1, Ct)).Single().Msg.ShouldBe("back");

        copied.Select(t => (t.Table, t.Added)).ShouldContain(("monitors", 3));
        copied.Single(t => t.Table == "events").Added.ShouldBe(7);
        copied.ShouldAllBe(t => t.Added == t.Rows && t.Differing == 0 && t.LeftOut.Count == 0);
        copied.Select(t => t.Table).ShouldNotContain("journal");
        progress.Where(p => p.Table == "events").Select(p => p.Done).ShouldBe([0, 3, 6, 7]);
    }

    [Fact]
    public async Task New_incidents_and_notices_in_postgres_take_ids_after_the_copied_ones()
    {
        List<string> ids;
        OutboxItem pending;
        await using (var sqlite = await OpenSqliteAsync())
        {
            (ids, pending) = await FillAsync(sqlite);
        }
        await CopyAsync();

        await using var postgres = await OpenPostgresAsync();
        var next = await postgres.EnqueueAsync("hook", TestNotice("new"), _clock.GetUtcNow(), Ct);
        var nightly = (await postgres.FindAsync(ids[1], Ct))!;
        await postgres.RecordAsync(SignalAddress.ForToken(nightly.PushToken!), Down("broken"), Ct);

        next.ShouldBeGreaterThan(pending.Id);
        var incident = (await postgres.IncidentsAsync(ids[1], 10, Ct)).Single();
        incident.Id.ShouldBeGreaterThan((await postgres.IncidentsAsync(ids[0], 10, Ct)).Single().Id);
    }

    [Fact]
    public async Task A_second_copy_adds_nothing_and_changes_nothing()
    {
        List<string> ids;
        await using (var sqlite = await OpenSqliteAsync())
        {
            (ids, _) = await FillAsync(sqlite);
        }
        await CopyAsync();
        Seen first;
        await using (var postgres = await OpenPostgresAsync())
        {
            first = await ReadAsync(postgres, ids);
        }

        var again = await CopyAsync();

        again.ShouldAllBe(t => t.Added == 0 && t.Differing == 0);
        again.Sum(t => t.AlreadyThere).ShouldBeGreaterThan(10);
        await using var reopened = await OpenPostgresAsync();
        (await ReadAsync(reopened, ids)).ShouldBeEquivalentTo(first);
    }

    [Fact]
    public async Task Status_pages_their_notes_and_the_monitors_badge_keys_are_copied()
    {
        var page = new StatusPage
        {
            Id = Secrets.NewId(), Slug = "acme", Title = "Acme", Description = "All of it", CreatedAt = _clock.GetUtcNow(),
            Groups = [new StatusGroup("Web", ["m1", "m2"]), new StatusGroup("Jobs", [])],
        };
        var note = new StatusNote
        {
            Id = Secrets.NewId(), PageId = page.Id, Title = "Slow logins", Body = "Looking", State = NoteState.Monitoring,
            CreatedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow().AddMinutes(3),
        };
        Monitor monitor;
        await using (var sqlite = await OpenSqliteAsync())
        {
            monitor = await sqlite.AddAsync(new Monitor { Id = Secrets.NewId(), Name = "web", PushToken = Secrets.NewPushToken(), CreatedAt = _clock.GetUtcNow() }, Ct);
            await sqlite.AddPageAsync(page, Ct);
            await sqlite.AddNoteAsync(note, Ct);
        }

        var copied = await CopyAsync();

        copied.Single(t => t.Table == "status_pages").Added.ShouldBe(1);
        copied.Single(t => t.Table == "status_notes").Added.ShouldBe(1);
        await using var postgres = await OpenPostgresAsync();
        Json(await postgres.FindPageBySlugAsync("acme", Ct)).ShouldBe(Json(page));
        Json(await postgres.NotesAsync(page.Id, 10, Ct)).ShouldBe(Json(new[] { note }));
        (await postgres.FindByBadgeKeyAsync(monitor.BadgeKey!, Ct))!.Id.ShouldBe(monitor.Id);
    }

    [Fact]
    public async Task A_row_postgres_already_holds_with_other_content_is_left_as_it_is_and_counted()
    {
        await using (var sqlite = await OpenSqliteAsync())
        {
            await sqlite.GetOrAddAsync("pingKey", "ping-key-from-sqlite", Ct);
            await sqlite.AddApiKeyAsync(new ApiKeyRecord("k1", "script", [1], false, _clock.GetUtcNow()), Ct);
        }
        await using (var postgres = await OpenPostgresAsync())
        {
            await postgres.GetOrAddAsync("pingKey", "ping-key-of-postgres", Ct);
        }

        var copied = await CopyAsync();

        var settings = copied.Single(t => t.Table == "settings");
        (settings.Rows, settings.Added, settings.Differing).ShouldBe((1, 0, 1));
        copied.Single(t => t.Table == "api_keys").Added.ShouldBe(1);
        await using var reopened = await OpenPostgresAsync();
        (await reopened.GetAsync("pingKey", Ct)).ShouldBe("ping-key-of-postgres");
    }

    [Fact]
    public async Task Pings_a_crashed_server_left_in_the_sqlite_ping_log_are_copied_too()
    {
        var crashed = Path.Combine(Folder, "crashed");
        string id;
        await using (var sqlite = await OpenSqliteAsync())
        {
            var monitor = await sqlite.AddAsync(new Monitor { Id = Secrets.NewId(), Name = "job", PushToken = Secrets.NewPushToken(), CreatedAt = _clock.GetUtcNow() }, Ct);
            id = monitor.Id;
            await sqlite.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up("first"), Ct);
            await sqlite.FindAsync(id, Ct);
            _clock.Advance(TimeSpan.FromSeconds(5));
            // A routine ping: it waits in the ping log until a fold.
            await sqlite.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up("only in the ping log"), Ct);
            // What a kill -9 now leaves on disk.
            Directory.CreateDirectory(crashed);
            foreach (var suffix in new[] { "", "-wal", "-pings" })
            {
                File.Copy(Path.Combine(Folder, "lifeline.db" + suffix), Path.Combine(crashed, "lifeline.db" + suffix));
            }
        }

        await CopyAsync(crashed);

        await using var postgres = await OpenPostgresAsync();
        (await postgres.EventsAsync(id, 10, Ct)).Select(e => e.Msg).ShouldBe(["only in the ping log", "first"]);
        (await postgres.FindAsync(id, Ct))!.LastMessage.ShouldBe("only in the ping log");
    }

    [Fact]
    public async Task A_smaller_postgres_ring_gets_each_monitors_newest_events_in_the_slots_it_uses()
    {
        string id;
        Monitor monitor;
        await using (var sqlite = await OpenSqliteAsync(eventsKept: 10))
        {
            monitor = await sqlite.AddAsync(new Monitor { Id = Secrets.NewId(), Name = "job", PushToken = Secrets.NewPushToken(), CreatedAt = _clock.GetUtcNow() }, Ct);
            id = monitor.Id;
            for (var i = 1; i <= 12; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                await sqlite.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up($"e{i}"), Ct);
            }
        }
        await using (await OpenPostgresAsync(eventsKept: 4))
        {
        }

        await using (var copy = await StoreCopy.OpenAsync(Folder, _database.ConnectionString, _clock, Ct))
        {
            copy.Ring.ShouldBe(4);
            (await copy.CopyAsync(null, null, Ct)).Single(t => t.Table == "events").Added.ShouldBe(4);
        }

        await using var postgres = await OpenPostgresAsync(eventsKept: 4);
        (await postgres.EventsAsync(id, 10, Ct)).Select(e => e.Msg).ShouldBe(["e12", "e11", "e10", "e9"]);
        // The next event replaces the oldest, as it would have had PostgreSQL kept them from the start.
        await postgres.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up("e13"), Ct);
        (await postgres.EventsAsync(id, 10, Ct)).Select(e => e.Msg).ShouldBe(["e13", "e12", "e11", "e10"]);
    }

    [Fact]
    public async Task A_new_postgres_database_keeps_as_many_events_as_the_sqlite_store_did()
    {
        string id;
        await using (var sqlite = await OpenSqliteAsync(eventsKept: 250))
        {
            var monitor = await sqlite.AddAsync(new Monitor { Id = Secrets.NewId(), Name = "job", PushToken = Secrets.NewPushToken(), CreatedAt = _clock.GetUtcNow() }, Ct);
            id = monitor.Id;
            for (var i = 1; i <= 150; i++)
            {
                await sqlite.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), Up($"e{i}"), Ct);
            }
        }

        await CopyAsync();

        await using var postgres = await OpenPostgresAsync(eventsKept: 250);
        (await postgres.EventsAsync(id, 1000, Ct)).Count.ShouldBe(150);
    }

    [Fact]
    public async Task Columns_only_postgres_has_are_left_to_postgres_and_generated_ones_are_never_written()
    {
        await using (var sqlite = await OpenSqliteAsync())
        {
            await FillAsync(sqlite);
        }
        // The PostgreSQL schema has a generated shard column and an outbox claimed_by column SQLite lacks.
        await using (await OpenPostgresAsync())
        {
        }

        var copied = await CopyAsync();

        copied.Single(t => t.Table == "monitors").Added.ShouldBe(3);
        copied.Single(t => t.Table == "outbox").Added.ShouldBe(2);
        await using var check = new NpgsqlConnection(_database.ConnectionString);
        await check.OpenAsync();
        await using var shards = new NpgsqlCommand("SELECT count(*) FROM monitors WHERE shard = (hashtext(id) & 63)", check);
        (await shards.ExecuteScalarAsync()).ShouldBe(3L);
    }

    [Fact]
    public async Task A_folder_without_a_store_is_refused_naming_what_is_missing()
    {
        var missing = Path.Combine(Folder, "nope");
        var noDatabase = Path.Combine(Folder, "empty");
        Directory.CreateDirectory(noDatabase);

        var noFolder = await Should.ThrowAsync<StoreStartException>(() => StoreCopy.OpenAsync(missing, _database.ConnectionString, _clock, Ct));
        var noFile = await Should.ThrowAsync<StoreStartException>(() => StoreCopy.OpenAsync(noDatabase, _database.ConnectionString, _clock, Ct));

        noFolder.Message.ShouldBe($"the data folder {missing} does not exist");
        noFile.Message.ShouldContain("holds no Lifeline store (lifeline.db is missing)");
        File.Exists(Path.Combine(noDatabase, "lifeline.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_folder_another_process_holds_is_refused_and_the_copy_holds_it_until_it_is_done()
    {
        await using (await OpenSqliteAsync())
        {
        }
        using (DataFolderLock.Acquire(Folder))
        {
            var refused = await Should.ThrowAsync<StoreStartException>(() => StoreCopy.OpenAsync(Folder, _database.ConnectionString, _clock, Ct));
            refused.Message.ShouldContain("is in use by another lifeline process");
        }

        await using (await StoreCopy.OpenAsync(Folder, _database.ConnectionString, _clock, Ct))
        {
            DataFolderLock.TryAcquire(Folder, out _).ShouldBeNull();
        }
        using var free = DataFolderLock.TryAcquire(Folder, out _);
        free.ShouldNotBeNull();
    }

    [Fact]
    public async Task Wrong_credentials_and_a_bad_connection_string_are_refused_without_the_password()
    {
        await using (await OpenSqliteAsync())
        {
        }
        const string Wrong = "Wrong-Secret-77aa";

        var credentials = await Should.ThrowAsync<StoreStartException>(() =>
            StoreCopy.OpenAsync(Folder, _server.ConnectionStringAs(PostgresServer.PasswordRole, Wrong), _clock, Ct));
        var malformed = await Should.ThrowAsync<StoreStartException>(() =>
            StoreCopy.OpenAsync(Folder, "Host=127.0.0.1;Password=" + Wrong + ";Bogus=1", _clock, Ct));

        credentials.Message.ShouldStartWith("cannot connect to PostgreSQL: credentials of user \"lifeline_password_role\"");
        credentials.Message.ShouldNotContain(Wrong);
        malformed.Message.ShouldStartWith("the PostgreSQL connection string is not valid");
        malformed.Message.ShouldNotContain(Wrong);
        // Refused: the folder is free again.
        using var free = DataFolderLock.TryAcquire(Folder, out _);
        free.ShouldNotBeNull();
    }
}
