using System.Text.Json.Nodes;

namespace Lifeline.Storage.Sqlite.Tests;

public sealed class SqliteStoreTests : IAsyncLifetime
{
    private StoreFixture _f = null!;

    public async Task InitializeAsync() => _f = await StoreFixture.OpenAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_monitor_reads_back_with_every_field_it_was_saved_with()
    {
        var monitor = _f.NewPush("nightly", 300, 60) with
        {
            Slug = "nightly",
            Tags = ["db", "prod"],
            Schedule = "0 3 * * *",
            Tz = "Europe/Paris",
            ManualResume = true,
            Headers = new Dictionary<string, string> { ["X-A"] = "1" },
            Conditions = ["[STATUS] == 200"],
        };

        await _f.Store.AddAsync(monitor, Ct);
        var read = await _f.Store.FindAsync(monitor.Id, Ct);

        read.ShouldNotBeNull();
        read.Tags.ShouldBe(["db", "prod"]);
        read.Schedule.ShouldBe("0 3 * * *");
        read.Tz.ShouldBe("Europe/Paris");
        read.ManualResume.ShouldBeTrue();
        read.Period.ShouldBe(TimeSpan.FromSeconds(300));
        read.Grace.ShouldBe(TimeSpan.FromSeconds(60));
        read.Headers["X-A"].ShouldBe("1");
        read.CreatedAt.ShouldBe(monitor.CreatedAt);
    }

    [Fact]
    public async Task A_second_monitor_with_the_same_slug_is_a_conflict_on_slug()
    {
        await _f.Store.AddAsync(_f.NewPush() with { Slug = "same" }, Ct);

        var ex = await Should.ThrowAsync<ConflictException>(() => _f.Store.AddAsync(_f.NewPush() with { Slug = "same" }, Ct));

        ex.Field.ShouldBe("slug");
    }

    [Fact]
    public async Task Recording_a_signal_stores_the_event_and_the_new_state_together()
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(), Ct);

        var result = await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up("hello") with { Value = 5 }, Ct);

        result.Outcome.ShouldBe(SignalOutcome.Recorded);
        var read = (await _f.Store.FindAsync(monitor.Id, Ct))!;
        read.Status.ShouldBe(MonitorStatus.Up);
        read.LastMessage.ShouldBe("hello");
        read.LastValue.ShouldBe(5);
        var events = await _f.Store.EventsAsync(monitor.Id, 10, Ct);
        events.Count.ShouldBe(1);
        events[0].Msg.ShouldBe("hello");
        events[0].Type.ShouldBe(SignalKind.Push);
    }

    [Fact]
    public async Task An_unknown_token_records_nothing()
    {
        var result = await _f.Store.RecordAsync(SignalAddress.ForToken("no-such-token"), _f.Up(), Ct);

        result.Outcome.ShouldBe(SignalOutcome.NotFound);
    }

    [Fact]
    public async Task A_missing_slug_is_created_when_asked()
    {
        var created = await _f.Store.RecordAsync(new SignalAddress { Slug = "etl", CreateIfMissing = () => _f.NewPush("etl") with { Slug = "etl" } }, _f.Up(), Ct);
        var again = await _f.Store.RecordAsync(new SignalAddress { Slug = "etl" }, _f.Up(), Ct);

        created.Outcome.ShouldBe(SignalOutcome.Created);
        again.Outcome.ShouldBe(SignalOutcome.Recorded);
        again.Monitor!.Id.ShouldBe(created.Monitor!.Id);
    }

    [Fact]
    public async Task A_down_signal_opens_an_incident_and_queues_one_notice_per_channel()
    {
        await _f.Store.AddAsync(new ChannelConfig("c1", "webhook", "one", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, _f.Clock.GetUtcNow()), Ct);
        await _f.Store.AddAsync(new ChannelConfig("c2", "webhook", "two", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, _f.Clock.GetUtcNow()), Ct);
        var monitor = await _f.Store.AddAsync(_f.NewPush(channels: ["c1", "c2"]), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up(), Ct);

        var result = await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Down("disk full"), Ct);

        result.PlannedNotice.ShouldBeTrue();
        var incidents = await _f.Store.IncidentsAsync(monitor.Id, 10, Ct);
        incidents.Single().Reason.ShouldBe("disk full");
        incidents.Single().EndedAt.ShouldBeNull();
        (await _f.Store.PendingCountAsync(Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Recovery_closes_the_incident_and_the_notice_says_when_it_started()
    {
        await _f.Store.AddAsync(new ChannelConfig("c1", "webhook", "one", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, _f.Clock.GetUtcNow()), Ct);
        var monitor = await _f.Store.AddAsync(_f.NewPush(channels: ["c1"]), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await _f.Store.RecordAsync(token, _f.Down(), Ct);
        var downAt = _f.Clock.GetUtcNow();
        _f.Clock.Advance(TimeSpan.FromMinutes(3));

        await _f.Store.RecordAsync(token, _f.Up(), Ct);

        var incident = (await _f.Store.IncidentsAsync(monitor.Id, 10, Ct)).Single();
        incident.EndedAt.ShouldBe(_f.Clock.GetUtcNow());
        var claimed = await _f.Store.ClaimAsync(_f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct);
        claimed.Single().Notice.IsDown.ShouldBeTrue();
        await _f.Store.CompleteAsync(claimed[0], new DeliveryOutcome(DeliveryState.Sent, _f.Clock.GetUtcNow(), null, null, 200), Ct);
        var recovery = (await _f.Store.ClaimAsync(_f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct)).Single();
        recovery.Notice.IsUp.ShouldBeTrue();
        recovery.Notice.IncidentStartedAt.ShouldBe(downAt);
    }

    [Fact]
    public async Task A_channel_gets_its_notices_one_at_a_time_in_order()
    {
        await _f.Store.AddAsync(new ChannelConfig("c1", "webhook", "one", [], _f.Clock.GetUtcNow()), Ct);
        var monitor = await _f.Store.AddAsync(_f.NewPush(channels: ["c1"]), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await _f.Store.RecordAsync(token, _f.Down(), Ct);
        await _f.Store.RecordAsync(token, _f.Up(), Ct);
        await _f.Store.RecordAsync(token, _f.Down(), Ct);
        var now = _f.Clock.GetUtcNow();

        var first = await _f.Store.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct);
        var whileLeased = await _f.Store.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct);
        await _f.Store.CompleteAsync(first[0], new DeliveryOutcome(DeliveryState.Pending, now, "HTTP 500", now.AddSeconds(5), 500), Ct);
        var beforeRetry = await _f.Store.ClaimAsync(now.AddSeconds(4), TimeSpan.FromMinutes(1), 10, Ct);
        var atRetry = await _f.Store.ClaimAsync(now.AddSeconds(5), TimeSpan.FromMinutes(1), 10, Ct);

        first.Single().Notice.IsDown.ShouldBeTrue();
        whileLeased.ShouldBeEmpty();
        beforeRetry.ShouldBeEmpty();
        atRetry.Single().Id.ShouldBe(first[0].Id);
        atRetry[0].Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Old_events_are_pruned_down_to_the_number_kept()
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(), Ct);
        for (var i = 0; i < 30; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up($"n{i}"), Ct);
        }

        var deleted = await _f.Store.PruneEventsAsync(keep: 10, maxMonitors: 100, Ct);

        deleted.ShouldBe(20);
        var events = await _f.Store.EventsAsync(monitor.Id, 100, Ct);
        events.Count.ShouldBe(10);
        events[0].Msg.ShouldBe("n29");
        events[^1].Msg.ShouldBe("n20");
        (await _f.Store.PruneEventsAsync(keep: 10, maxMonitors: 100, Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Listing_filters_by_status_tag_and_text_and_pages_with_a_cursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await _f.Store.AddAsync(_f.NewPush($"job-{i}") with { Tags = i % 2 == 0 ? ["even"] : ["odd"] }, Ct);
        }
        var other = await _f.Store.AddAsync(_f.NewPush("other"), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(other.PushToken!), _f.Down(), Ct);

        var first = await _f.Store.ListAsync(new MonitorQuery { Text = "job", Limit = 2 }, Ct);
        var second = await _f.Store.ListAsync(new MonitorQuery { Text = "job", Limit = 2, Cursor = first.NextCursor }, Ct);
        var third = await _f.Store.ListAsync(new MonitorQuery { Text = "job", Limit = 2, Cursor = second.NextCursor }, Ct);

        first.Items.Select(m => m.Name).ShouldBe(["job-0", "job-1"]);
        second.Items.Select(m => m.Name).ShouldBe(["job-2", "job-3"]);
        third.Items.Select(m => m.Name).ShouldBe(["job-4"]);
        third.NextCursor.ShouldBeNull();
        (await _f.Store.ListAsync(new MonitorQuery { Tag = "even" }, Ct)).Items.Count.ShouldBe(3);
        (await _f.Store.ListAsync(new MonitorQuery { Status = MonitorStatus.Down }, Ct)).Items.Single().Name.ShouldBe("other");
    }

    [Fact]
    public async Task A_flip_is_decided_on_the_monitor_as_it_is_at_write_time_so_a_late_ping_is_kept()
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        var readBySweep = (await _f.Store.RecordAsync(token, _f.Up(), Ct)).Monitor!;
        _f.Clock.Advance(TimeSpan.FromSeconds(60));
        // A ping lands between the sweep's read and its write; it keeps the indexed due time.
        await _f.Store.RecordAsync(token, _f.Up("late ping"), Ct);
        var now = _f.Clock.GetUtcNow();

        var flips = await _f.Store.FlipAsync([readBySweep], m => MonitorMachine.OnDue(m, now), Ct);

        flips.ShouldAllBe(f => f.Notice == null);
        var stored = (await _f.Store.FindAsync(monitor.Id, Ct))!;
        stored.Status.ShouldBe(MonitorStatus.Up);
        stored.LastMessage.ShouldBe("late ping");
        stored.NextDeadlineAt.ShouldBe(now.AddSeconds(60));
        (await _f.Store.IncidentsAsync(monitor.Id, 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_flip_after_a_token_rotation_does_not_bring_the_old_token_back()
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(), Ct);
        var oldToken = monitor.PushToken!;
        var readBySweep = (await _f.Store.RecordAsync(SignalAddress.ForToken(oldToken), _f.Up(), Ct)).Monitor!;
        await _f.Store.ChangeAsync(monitor.Id, m => Flip.Quiet(m, m with { PushToken = Secrets.NewPushToken() }), Ct);
        _f.Clock.Advance(TimeSpan.FromSeconds(61));
        var now = _f.Clock.GetUtcNow();

        await _f.Store.FlipAsync([readBySweep], m => MonitorMachine.OnDue(m, now), Ct);

        (await _f.Store.RecordAsync(SignalAddress.ForToken(oldToken), _f.Up(), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
    }

    [Fact]
    public async Task Data_survives_closing_and_reopening_the_file()
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up(), Ct);

        await _f.ReopenAsync();

        (await _f.Store.FindAsync(monitor.Id, Ct))!.Status.ShouldBe(MonitorStatus.Up);
        (await _f.Store.EventsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Many_concurrent_signals_are_all_committed()
    {
        var monitors = new List<Monitor>();
        for (var i = 0; i < 20; i++)
        {
            monitors.Add(await _f.Store.AddAsync(_f.NewPush($"m{i}"), Ct));
        }

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            _f.Store.RecordAsync(SignalAddress.ForToken(monitors[i % 20].PushToken!), _f.Up($"s{i}"), Ct)));

        foreach (var m in monitors)
        {
            (await _f.Store.EventsAsync(m.Id, 1000, Ct)).Count.ShouldBe(50);
        }
    }

    [Fact]
    public async Task One_failing_write_in_a_batch_does_not_fail_the_others()
    {
        await _f.Store.AddAsync(_f.NewPush() with { Slug = "taken" }, Ct);
        var monitor = await _f.Store.AddAsync(_f.NewPush("busy"), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);

        var signals = Enumerable.Range(0, 200).Select(i => _f.Store.RecordAsync(token, _f.Up($"s{i}"), Ct)).ToList();
        var duplicate = _f.Store.AddAsync(_f.NewPush() with { Slug = "taken" }, Ct);
        signals.AddRange(Enumerable.Range(200, 200).Select(i => _f.Store.RecordAsync(token, _f.Up($"s{i}"), Ct)));

        await Should.ThrowAsync<ConflictException>(() => duplicate);
        (await Task.WhenAll(signals)).ShouldAllBe(r => r.Outcome == SignalOutcome.Recorded);
        // The ring keeps the last 100 of the 400, all in order.
        var events = await _f.Store.EventsAsync(monitor.Id, 1000, Ct);
        events.Select(e => e.Id).ShouldBe(Enumerable.Range(301, 100).Reverse().Select(i => (long)i));
        events.Select(e => e.Msg).ToHashSet().Count.ShouldBe(100);
        (await _f.Store.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(400);
    }

    [Fact]
    public async Task History_older_than_the_cutoff_is_pruned_but_pending_notices_and_open_incidents_stay()
    {
        await _f.Store.AddAsync(new ChannelConfig("c1", "webhook", "one", [], _f.Clock.GetUtcNow()), Ct);
        var old = await _f.Store.AddAsync(_f.NewPush("old", channels: ["c1"]), Ct);
        var open = await _f.Store.AddAsync(_f.NewPush("open", channels: ["c1"]), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(old.PushToken!), _f.Down(), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(old.PushToken!), _f.Up(), Ct);
        await _f.Store.RecordAsync(SignalAddress.ForToken(open.PushToken!), _f.Down(), Ct);
        foreach (var item in await _f.Store.ClaimAsync(_f.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct))
        {
            await _f.Store.CompleteAsync(item, new DeliveryOutcome(DeliveryState.Sent, _f.Clock.GetUtcNow(), null, null, 200), Ct);
        }
        var pendingBefore = await _f.Store.PendingCountAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromDays(100));

        var deleted = await _f.Store.PruneHistoryAsync(_f.Clock.GetUtcNow() - TimeSpan.FromDays(90), Ct);

        deleted.ShouldBeGreaterThanOrEqualTo(3);
        (await _f.Store.IncidentsAsync(old.Id, 10, Ct)).ShouldBeEmpty();
        (await _f.Store.IncidentsAsync(open.Id, 10, Ct)).Count.ShouldBe(1);
        (await _f.Store.DeliveriesAsync("c1", 10, Ct)).ShouldBeEmpty();
        (await _f.Store.PendingCountAsync(Ct)).ShouldBe(pendingBefore);
        pendingBefore.ShouldBeGreaterThan(0);
    }
}
