using System.Text.Json.Nodes;

namespace Lifeline.Storage.Conformance;

/// <summary>Monitors, signals, flips, events, incidents and pruning: the same on every store.</summary>
public abstract class MonitorStoreTests : StoreTests
{
    [Fact]
    public async Task A_monitor_reads_back_with_every_field_it_was_saved_with()
    {
        var monitor = F.NewPush("nightly", 300, 60) with
        {
            Slug = "nightly",
            Tags = ["db", "prod"],
            Schedule = "0 3 * * *",
            Tz = "Europe/Paris",
            ManualResume = true,
            Headers = new Dictionary<string, string> { ["X-A"] = "1" },
            Conditions = ["[STATUS] == 200"],
        };

        await F.Monitors.AddAsync(monitor, Ct);
        var read = await F.Monitors.FindAsync(monitor.Id, Ct);

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
    public async Task A_description_and_ping_rules_read_back_and_survive_an_edit()
    {
        var rules = new PingRules { Methods = "POST", StartKeywords = "STARTED", SuccessKeywords = "OK", FailureKeywords = "ERROR", FilterHttpBody = true, FilterDefaultFail = true };
        var monitor = await F.Monitors.AddAsync(F.NewPush() with { Description = "Runs ~/db-backup.sh", PingRules = rules }, Ct);

        var read = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        await F.Monitors.ChangeAsync(monitor.Id, m => Flip.Quiet(m, m with { Description = "nightly" }), Ct);
        var edited = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        var plain = await F.Monitors.AddAsync(F.NewPush(), Ct);

        read.Description.ShouldBe("Runs ~/db-backup.sh");
        read.PingRules.ShouldBe(rules);
        edited.Description.ShouldBe("nightly");
        edited.PingRules.ShouldBe(rules);
        (await F.Monitors.FindAsync(plain.Id, Ct))!.PingRules.ShouldBe(PingRules.None);
    }

    [Fact]
    public async Task A_managed_key_reads_back_survives_an_edit_and_is_unique()
    {
        var managed = await F.Monitors.AddAsync(F.NewPush("api") with { ManagedKey = "api" }, Ct);
        var plain = await F.Monitors.AddAsync(F.NewPush("by hand"), Ct);

        await F.Monitors.ChangeAsync(managed.Id, m => Flip.Quiet(m, m with { Name = "api v2" }), Ct);
        var edited = (await F.Monitors.FindAsync(managed.Id, Ct))!;

        edited.ManagedKey.ShouldBe("api");
        edited.IsManaged.ShouldBeTrue();
        (await F.Monitors.FindAsync(plain.Id, Ct))!.IsManaged.ShouldBeFalse();
        await Should.ThrowAsync<ConflictException>(() => F.Monitors.AddAsync(F.NewPush("again") with { ManagedKey = "api" }, Ct));
    }

    [Fact]
    public async Task A_second_monitor_with_the_same_slug_is_a_conflict_on_slug()
    {
        await F.Monitors.AddAsync(F.NewPush() with { Slug = "same" }, Ct);

        var ex = await Should.ThrowAsync<ConflictException>(() => F.Monitors.AddAsync(F.NewPush() with { Slug = "same" }, Ct));

        ex.Field.ShouldBe("slug");
    }

    [Fact]
    public async Task Recording_a_signal_stores_the_event_and_the_new_state_together()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);

        var result = await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up("hello") with { Value = 5 }, Ct);

        result.Outcome.ShouldBe(SignalOutcome.Recorded);
        var read = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        read.Status.ShouldBe(MonitorStatus.Up);
        read.LastMessage.ShouldBe("hello");
        read.LastValue.ShouldBe(5);
        var events = await F.Monitors.EventsAsync(monitor.Id, 10, Ct);
        events.Count.ShouldBe(1);
        events[0].Msg.ShouldBe("hello");
        events[0].Type.ShouldBe(SignalKind.Push);
    }

    [Fact]
    public async Task An_unknown_token_records_nothing()
    {
        var result = await F.Monitors.RecordAsync(SignalAddress.ForToken("no-such-token"), F.Up(), Ct);

        result.Outcome.ShouldBe(SignalOutcome.NotFound);
    }

    [Fact]
    public async Task A_missing_slug_is_created_when_asked()
    {
        var created = await F.Monitors.RecordAsync(new SignalAddress { Slug = "etl", CreateIfMissing = () => F.NewPush("etl") with { Slug = "etl" } }, F.Up(), Ct);
        var again = await F.Monitors.RecordAsync(new SignalAddress { Slug = "etl" }, F.Up(), Ct);

        created.Outcome.ShouldBe(SignalOutcome.Created);
        again.Outcome.ShouldBe(SignalOutcome.Recorded);
        again.Monitor!.Id.ShouldBe(created.Monitor!.Id);
    }

    [Fact]
    public async Task A_down_signal_opens_an_incident_and_queues_one_notice_per_channel()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, F.Clock.GetUtcNow()), Ct);
        await F.Channels.AddAsync(new ChannelConfig("c2", "webhook", "two", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, F.Clock.GetUtcNow()), Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["c1", "c2"]), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct);

        var result = await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down("disk full"), Ct);

        result.PlannedNotice.ShouldBeTrue();
        var incidents = await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct);
        incidents.Single().Reason.ShouldBe("disk full");
        incidents.Single().EndedAt.ShouldBeNull();
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Recovery_closes_the_incident_and_the_notice_says_when_it_started()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, F.Clock.GetUtcNow()), Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["c1"]), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await F.Monitors.RecordAsync(token, F.Down(), Ct);
        var downAt = F.Clock.GetUtcNow();
        F.Clock.Advance(TimeSpan.FromMinutes(3));

        await F.Monitors.RecordAsync(token, F.Up(), Ct);

        var incident = (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Single();
        incident.EndedAt.ShouldBe(F.Clock.GetUtcNow());
        var claimed = await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct);
        claimed.Single().Notice.IsDown.ShouldBeTrue();
        await F.Outbox.CompleteAsync(claimed[0], new DeliveryOutcome(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200), Ct);
        var recovery = (await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct)).Single();
        recovery.Notice.IsUp.ShouldBeTrue();
        recovery.Notice.IncidentStartedAt.ShouldBe(downAt);
    }

    [Fact]
    public async Task Old_events_are_pruned_down_to_the_number_kept()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        for (var i = 0; i < 30; i++)
        {
            await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up($"n{i}"), Ct);
        }

        var deleted = await F.Monitors.PruneEventsAsync(keep: 10, maxMonitors: 100, Ct);

        deleted.ShouldBe(20);
        var events = await F.Monitors.EventsAsync(monitor.Id, 100, Ct);
        events.Count.ShouldBe(10);
        events[0].Msg.ShouldBe("n29");
        events[^1].Msg.ShouldBe("n20");
        (await F.Monitors.PruneEventsAsync(keep: 10, maxMonitors: 100, Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Listing_filters_by_status_tag_and_text_and_pages_with_a_cursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await F.Monitors.AddAsync(F.NewPush($"job-{i}") with { Tags = i % 2 == 0 ? ["even"] : ["odd"] }, Ct);
        }
        var other = await F.Monitors.AddAsync(F.NewPush("other"), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(other.PushToken!), F.Down(), Ct);

        var first = await F.Monitors.ListAsync(new MonitorQuery { Text = "job", Limit = 2 }, Ct);
        var second = await F.Monitors.ListAsync(new MonitorQuery { Text = "job", Limit = 2, Cursor = first.NextCursor }, Ct);
        var third = await F.Monitors.ListAsync(new MonitorQuery { Text = "job", Limit = 2, Cursor = second.NextCursor }, Ct);

        first.Items.Select(m => m.Name).ShouldBe(["job-0", "job-1"]);
        second.Items.Select(m => m.Name).ShouldBe(["job-2", "job-3"]);
        third.Items.Select(m => m.Name).ShouldBe(["job-4"]);
        third.NextCursor.ShouldBeNull();
        (await F.Monitors.ListAsync(new MonitorQuery { Tag = "even" }, Ct)).Items.Count.ShouldBe(3);
        (await F.Monitors.ListAsync(new MonitorQuery { Status = MonitorStatus.Down }, Ct)).Items.Single().Name.ShouldBe("other");
    }

    [Fact]
    public async Task A_flip_is_decided_on_the_monitor_as_it_is_at_write_time_so_a_late_ping_is_kept()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        var readBySweep = (await F.Monitors.RecordAsync(token, F.Up(), Ct)).Monitor!;
        F.Clock.Advance(TimeSpan.FromSeconds(60));
        // A ping lands between the sweep's read and its write; it keeps the indexed due time.
        await F.Monitors.RecordAsync(token, F.Up("late ping"), Ct);
        var now = F.Clock.GetUtcNow();

        var flips = await F.Monitors.FlipAsync([readBySweep], m => MonitorMachine.OnDue(m, now), Ct);

        flips.ShouldAllBe(f => f.Notice == null);
        var stored = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        stored.Status.ShouldBe(MonitorStatus.Up);
        stored.LastMessage.ShouldBe("late ping");
        stored.NextDeadlineAt.ShouldBe(now.AddSeconds(60));
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_sweeps_flipping_the_same_monitors_at_once_decide_each_monitor_once()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", [], F.Clock.GetUtcNow()), Ct);
        var candidates = new List<Monitor>();
        for (var i = 0; i < 40; i++)
        {
            var monitor = await F.Monitors.AddAsync(F.NewPush($"m{i}", channels: ["c1"]), Ct);
            candidates.Add((await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Monitor!);
        }
        F.Clock.Advance(TimeSpan.FromMinutes(5));
        var now = F.Clock.GetUtcNow();

        // Both read the same candidates, as two servers sweeping at the same moment would.
        var flips = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            F.Monitors.FlipAsync(candidates, m => MonitorMachine.OnDue(m, now), Ct))));

        flips.Sum(f => f.Count(x => x.Notice is not null)).ShouldBe(40);
        foreach (var monitor in candidates)
        {
            (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
        }
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(40);
    }

    [Fact]
    public async Task A_flip_after_a_token_rotation_does_not_bring_the_old_token_back()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var oldToken = monitor.PushToken!;
        var readBySweep = (await F.Monitors.RecordAsync(SignalAddress.ForToken(oldToken), F.Up(), Ct)).Monitor!;
        await F.Monitors.ChangeAsync(monitor.Id, m => Flip.Quiet(m, m with { PushToken = Secrets.NewPushToken() }), Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(61));
        var now = F.Clock.GetUtcNow();

        await F.Monitors.FlipAsync([readBySweep], m => MonitorMachine.OnDue(m, now), Ct);

        (await F.Monitors.RecordAsync(SignalAddress.ForToken(oldToken), F.Up(), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
    }

    [Fact]
    public async Task Data_survives_closing_and_reopening_the_store()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct);

        await F.ReopenAsync();

        (await F.Monitors.FindAsync(monitor.Id, Ct))!.Status.ShouldBe(MonitorStatus.Up);
        (await F.Monitors.EventsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Many_concurrent_signals_are_all_committed()
    {
        var monitors = new List<Monitor>();
        for (var i = 0; i < 20; i++)
        {
            monitors.Add(await F.Monitors.AddAsync(F.NewPush($"m{i}"), Ct));
        }

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            F.Monitors.RecordAsync(SignalAddress.ForToken(monitors[i % 20].PushToken!), F.Up($"s{i}"), Ct)));

        foreach (var m in monitors)
        {
            (await F.Monitors.EventsAsync(m.Id, 1000, Ct)).Count.ShouldBe(50);
        }
    }

    [Fact]
    public async Task One_failing_write_in_a_batch_does_not_fail_the_others()
    {
        await F.Monitors.AddAsync(F.NewPush() with { Slug = "taken" }, Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush("busy"), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);

        var signals = Enumerable.Range(0, 200).Select(i => F.Monitors.RecordAsync(token, F.Up($"s{i}"), Ct)).ToList();
        var duplicate = F.Monitors.AddAsync(F.NewPush() with { Slug = "taken" }, Ct);
        signals.AddRange(Enumerable.Range(200, 200).Select(i => F.Monitors.RecordAsync(token, F.Up($"s{i}"), Ct)));

        await Should.ThrowAsync<ConflictException>(() => duplicate);
        (await Task.WhenAll(signals)).ShouldAllBe(r => r.Outcome == SignalOutcome.Recorded);
        // The ring keeps the last 100 of the 400, all in order.
        var events = await F.Monitors.EventsAsync(monitor.Id, 1000, Ct);
        events.Select(e => e.Id).ShouldBe(Enumerable.Range(301, 100).Reverse().Select(i => (long)i));
        events.Select(e => e.Msg).ToHashSet().Count.ShouldBe(100);
        (await F.Monitors.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(400);
    }

    [Fact]
    public async Task History_older_than_the_cutoff_is_pruned_but_pending_notices_and_open_incidents_stay()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", [], F.Clock.GetUtcNow()), Ct);
        var old = await F.Monitors.AddAsync(F.NewPush("old", channels: ["c1"]), Ct);
        var open = await F.Monitors.AddAsync(F.NewPush("open", channels: ["c1"]), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(old.PushToken!), F.Down(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(old.PushToken!), F.Up(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(open.PushToken!), F.Down(), Ct);
        foreach (var item in await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct))
        {
            await F.Outbox.CompleteAsync(item, new DeliveryOutcome(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200), Ct);
        }
        var pendingBefore = await F.Outbox.PendingCountAsync(Ct);
        F.Clock.Advance(TimeSpan.FromDays(100));

        var deleted = await F.Monitors.PruneHistoryAsync(F.Clock.GetUtcNow() - TimeSpan.FromDays(90), Ct);

        deleted.ShouldBeGreaterThanOrEqualTo(3);
        (await F.Monitors.IncidentsAsync(old.Id, 10, Ct)).ShouldBeEmpty();
        (await F.Monitors.IncidentsAsync(open.Id, 10, Ct)).Count.ShouldBe(1);
        (await F.Outbox.DeliveriesAsync("c1", 10, Ct)).ShouldBeEmpty();
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(pendingBefore);
        pendingBefore.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_healthchecks_start_and_success_with_the_same_rid_store_the_run_duration()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        var rid = Guid.NewGuid();

        await F.Monitors.RecordAsync(token, F.Up() with { Kind = SignalKind.Start, Rid = rid }, Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(42));
        var result = await F.Monitors.RecordAsync(token, F.Up() with { Kind = SignalKind.Success, Rid = rid, ExitStatus = 0 }, Ct);

        result.Monitor!.LastDurationMs.ShouldBe(42_000);
        var stored = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        stored.LastDurationMs.ShouldBe(42_000);
        stored.RunStartedAt.ShouldBeNull();
        stored.RunRid.ShouldBeNull();
        var events = await F.Monitors.EventsAsync(monitor.Id, 10, Ct);
        events.Select(e => e.Type).ShouldBe([SignalKind.Success, SignalKind.Start]);
        events.ShouldAllBe(e => e.Rid == rid);
        events[0].DurationMs.ShouldBe(42_000);
        events[0].ExitStatus.ShouldBe(0);
    }

    [Fact]
    public async Task A_success_with_another_rid_leaves_the_open_run_alone()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        var rid = Guid.NewGuid();
        await F.Monitors.RecordAsync(token, F.Up() with { Kind = SignalKind.Start, Rid = rid }, Ct);
        var startedAt = F.Clock.GetUtcNow();
        F.Clock.Advance(TimeSpan.FromSeconds(5));

        await F.Monitors.RecordAsync(token, F.Up() with { Kind = SignalKind.Success, Rid = Guid.NewGuid() }, Ct);

        var stored = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        stored.RunRid.ShouldBe(rid);
        stored.RunStartedAt.ShouldBe(startedAt);
        stored.LastDurationMs.ShouldBeNull();
    }

    [Fact]
    public async Task A_fail_with_an_exit_status_and_a_body_goes_down_and_keeps_both_on_the_event()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);

        var result = await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!),
            F.Down() with { Kind = SignalKind.Fail, Message = null, ExitStatus = 3, Body = "disk full\nsecond line", Source = "10.0.0.1" }, Ct);

        result.Monitor!.Status.ShouldBe(MonitorStatus.Down);
        var e = (await F.Monitors.EventsAsync(monitor.Id, 10, Ct)).Single();
        e.Type.ShouldBe(SignalKind.Fail);
        e.Ok.ShouldBeFalse();
        e.ExitStatus.ShouldBe(3);
        e.Body.ShouldBe("disk full\nsecond line");
        e.Source.ShouldBe("10.0.0.1");
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_log_signal_is_recorded_but_changes_no_state()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await F.Monitors.RecordAsync(token, F.Up("first"), Ct);

        await F.Monitors.RecordAsync(token, F.Up("just a note") with { Kind = SignalKind.Log }, Ct);

        var stored = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        stored.LastMessage.ShouldBe("first");
        stored.EventCount.ShouldBe(2);
        (await F.Monitors.EventsAsync(monitor.Id, 10, Ct))[0].Type.ShouldBe(SignalKind.Log);
    }

    [Fact]
    public async Task A_tianji_push_carries_its_value_and_ping_time_onto_the_event()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);

        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up("fine") with { Value = 12.5, PingMs = 33.25 }, Ct);

        var e = (await F.Monitors.EventsAsync(monitor.Id, 10, Ct)).Single();
        e.Value.ShouldBe(12.5);
        e.Ping.ShouldBe(33.25);
        e.At.ShouldBe(F.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Concurrent_pings_that_create_one_slug_make_one_monitor()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => F.Monitors.RecordAsync(
            new SignalAddress { Slug = "nightly", CreateIfMissing = () => F.NewPush("nightly") with { Slug = "nightly" } }, F.Up(), Ct)));

        results.Count(r => r.Outcome == SignalOutcome.Created).ShouldBe(1);
        results.Select(r => r.Monitor!.Id).Distinct().Count().ShouldBe(1);
        (await F.Monitors.ListAllAsync(Ct)).Count.ShouldBe(1);
        (await F.Monitors.FindAsync(results[0].Monitor!.Id, Ct))!.EventCount.ShouldBe(8);
    }

    [Fact]
    public async Task A_monitor_is_found_by_name_in_any_case_by_slug_or_by_id()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush("Nightly Backup") with { Slug = "nb" }, Ct);

        (await F.Monitors.FindByNameAsync("nightly backup", Ct))!.Id.ShouldBe(monitor.Id);
        (await F.Monitors.FindByNameAsync("nb", Ct))!.Id.ShouldBe(monitor.Id);
        (await F.Monitors.FindByNameAsync(monitor.Id, Ct))!.Id.ShouldBe(monitor.Id);
        (await F.Monitors.FindByNameAsync("nothing", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_change_rewrites_the_definition_and_a_taken_push_token_is_a_conflict()
    {
        var first = await F.Monitors.AddAsync(F.NewPush("first"), Ct);
        var second = await F.Monitors.AddAsync(F.NewPush("second"), Ct);

        var changed = await F.Monitors.ChangeAsync(first.Id, m => Flip.Quiet(m, m with { Name = "renamed", Tags = ["x"], Period = TimeSpan.FromMinutes(5) }), Ct);
        var ex = await Should.ThrowAsync<ConflictException>(() =>
            F.Monitors.ChangeAsync(second.Id, m => Flip.Quiet(m, m with { PushToken = first.PushToken }), Ct));

        changed!.Name.ShouldBe("renamed");
        var stored = (await F.Monitors.FindAsync(first.Id, Ct))!;
        stored.Name.ShouldBe("renamed");
        stored.Tags.ShouldBe(["x"]);
        stored.Period.ShouldBe(TimeSpan.FromMinutes(5));
        ex.Field.ShouldBe("pushToken");
        (await F.Monitors.FindAsync(second.Id, Ct))!.PushToken.ShouldBe(second.PushToken);
        (await F.Monitors.ChangeAsync("no-such-id", m => Flip.Quiet(m, m), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Deleting_a_monitor_removes_it_with_its_events_and_incidents()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down(), Ct);

        (await F.Monitors.DeleteAsync(monitor.Id, Ct)).ShouldBeTrue();

        (await F.Monitors.FindAsync(monitor.Id, Ct)).ShouldBeNull();
        (await F.Monitors.EventsAsync(monitor.Id, 10, Ct)).ShouldBeEmpty();
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).ShouldBeEmpty();
        (await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Outcome.ShouldBe(SignalOutcome.NotFound);
        (await F.Monitors.DeleteAsync(monitor.Id, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Due_monitors_come_earliest_first_and_only_of_the_kind_asked()
    {
        var slow = await F.Monitors.AddAsync(F.NewPush("slow", periodSeconds: 120), Ct);
        var fast = await F.Monitors.AddAsync(F.NewPush("fast", periodSeconds: 60), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(slow.PushToken!), F.Up(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(fast.PushToken!), F.Up(), Ct);
        var now = F.Clock.GetUtcNow();

        (await F.Monitors.DueAsync(MonitorKind.Push, now.AddSeconds(59), 10, Ct)).ShouldBeEmpty();
        (await F.Monitors.DueAsync(MonitorKind.Push, now.AddSeconds(200), 10, Ct)).Select(m => m.Name).ShouldBe(["fast", "slow"]);
        (await F.Monitors.DueAsync(MonitorKind.Push, now.AddSeconds(200), 1, Ct)).Single().Name.ShouldBe("fast");
        (await F.Monitors.DueAsync(MonitorKind.Http, now.AddSeconds(200), 10, Ct)).ShouldBeEmpty();
        (await F.Monitors.DueBetweenAsync(now.AddSeconds(100), now.AddSeconds(130), Ct)).Single().Name.ShouldBe("slow");
    }

    [Fact]
    public async Task Monitors_are_counted_by_status()
    {
        var up = await F.Monitors.AddAsync(F.NewPush("up"), Ct);
        var down = await F.Monitors.AddAsync(F.NewPush("down"), Ct);
        await F.Monitors.AddAsync(F.NewPush("new"), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(up.PushToken!), F.Up(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(down.PushToken!), F.Down(), Ct);

        var counts = await F.Monitors.CountByStatusAsync(Ct);

        counts[MonitorStatus.Up].ShouldBe(1);
        counts[MonitorStatus.Down].ShouldBe(1);
        counts[MonitorStatus.New].ShouldBe(1);
        counts[MonitorStatus.Late].ShouldBe(0);
    }

    [Fact]
    public async Task The_event_ring_keeps_the_last_events_and_is_laid_out_again_when_fewer_are_kept()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        for (var i = 0; i < 8; i++)
        {
            await F.Monitors.RecordAsync(token, F.Up($"a{i}"), Ct);
        }

        await F.ReopenAsync(eventsKept: 5);
        var afterReopen = await F.Monitors.EventsAsync(monitor.Id, 100, Ct);
        for (var i = 0; i < 7; i++)
        {
            await F.Monitors.RecordAsync(token, F.Up($"b{i}"), Ct);
        }

        afterReopen.Select(e => e.Msg).ShouldBe(["a7", "a6", "a5", "a4", "a3"]);
        var events = await F.Monitors.EventsAsync(monitor.Id, 100, Ct);
        events.Select(e => e.Msg).ShouldBe(["b6", "b5", "b4", "b3", "b2"]);
        events.Select(e => e.Id).ShouldBe([15L, 14, 13, 12, 11]);
        (await F.Monitors.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(15);
    }

    [Fact]
    public async Task A_check_for_a_monitor_no_longer_due_at_the_expected_time_is_dropped()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        var upped = (await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Monitor!;

        var stale = await F.Monitors.RecordAsync(new SignalAddress { MonitorId = monitor.Id, ExpectedDueAt = upped.DueAt!.Value.AddSeconds(-1) }, F.Up("stale"), Ct);
        var current = await F.Monitors.RecordAsync(new SignalAddress { MonitorId = monitor.Id, ExpectedDueAt = upped.DueAt }, F.Up("current"), Ct);

        stale.Outcome.ShouldBe(SignalOutcome.NotFound);
        current.Outcome.ShouldBe(SignalOutcome.Recorded);
        (await F.Monitors.FindAsync(monitor.Id, Ct))!.LastMessage.ShouldBe("current");
    }

    [Fact]
    public async Task An_active_monitor_reads_back_with_every_check_and_alert_field()
    {
        var monitor = new Monitor
        {
            Id = Secrets.NewId(),
            Name = "site",
            Kind = MonitorKind.Http,
            Target = "https://127.0.0.1:9/health",
            Interval = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(4.5),
            Retries = 2,
            RetryInterval = TimeSpan.FromSeconds(10),
            SuccessThreshold = 3,
            Method = "POST",
            Body = "{\"ping\":1}",
            RemindEvery = TimeSpan.FromHours(2),
            NotifyRecovery = false,
            CreatedAt = F.Clock.GetUtcNow(),
        };

        await F.Monitors.AddAsync(monitor, Ct);
        var read = (await F.Monitors.FindAsync(monitor.Id, Ct))!;

        read.Kind.ShouldBe(MonitorKind.Http);
        read.PushToken.ShouldBeNull();
        read.Target.ShouldBe("https://127.0.0.1:9/health");
        read.Interval.ShouldBe(TimeSpan.FromSeconds(30));
        read.Timeout.ShouldBe(TimeSpan.FromSeconds(4.5));
        read.Retries.ShouldBe(2);
        read.RetryInterval.ShouldBe(TimeSpan.FromSeconds(10));
        read.SuccessThreshold.ShouldBe(3);
        read.Method.ShouldBe("POST");
        read.Body.ShouldBe("{\"ping\":1}");
        read.RemindEvery.ShouldBe(TimeSpan.FromHours(2));
        read.NotifyRecovery.ShouldBeFalse();
        read.Status.ShouldBe(MonitorStatus.New);
    }

    [Fact]
    public async Task A_reminder_from_the_sweep_says_since_when_the_monitor_is_down()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", [], F.Clock.GetUtcNow()), Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["c1"]) with { RemindEvery = TimeSpan.FromHours(1) }, Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down("disk full"), Ct);
        var downAt = F.Clock.GetUtcNow();
        var first = (await F.Outbox.ClaimAsync(downAt, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        await F.Outbox.CompleteAsync(first, new DeliveryOutcome(DeliveryState.Sent, downAt, null, null, 200), Ct);
        F.Clock.Advance(TimeSpan.FromHours(1));
        var now = F.Clock.GetUtcNow();

        var due = await F.Monitors.DueAsync(MonitorKind.Push, now, 10, Ct);
        var flips = await F.Monitors.FlipAsync(due, m => MonitorMachine.OnDue(m, now), Ct);

        flips.Single().Notice!.Reminder.ShouldBeTrue();
        var reminder = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        reminder.Notice.Reminder.ShouldBeTrue();
        reminder.Notice.IncidentStartedAt.ShouldBe(downAt);
        var stored = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        stored.LastAlertAt.ShouldBe(now);
        stored.DueAt.ShouldBe(now.AddHours(1));
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Text_search_ignores_case_and_takes_wildcard_characters_literally()
    {
        await F.Monitors.AddAsync(F.NewPush("Backup_DB"), Ct);
        await F.Monitors.AddAsync(F.NewPush("backupXdb"), Ct);
        await F.Monitors.AddAsync(F.NewPush("50% full"), Ct);
        await F.Monitors.AddAsync(F.NewPush("other") with { Slug = "nightly-backup_db" }, Ct);

        (await F.Monitors.ListAsync(new MonitorQuery { Text = "backup_db" }, Ct)).Items.Select(m => m.Name).ShouldBe(["Backup_DB", "other"]);
        (await F.Monitors.ListAsync(new MonitorQuery { Text = "0%" }, Ct)).Items.Single().Name.ShouldBe("50% full");
    }

    [Fact]
    public async Task A_paused_monitor_is_not_due_and_a_cursor_from_nowhere_is_refused()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct);

        var paused = await F.Monitors.ChangeAsync(monitor.Id, MonitorMachine.Pause, Ct);

        paused!.Status.ShouldBe(MonitorStatus.Paused);
        (await F.Monitors.FindAsync(monitor.Id, Ct))!.DueAt.ShouldBeNull();
        (await F.Monitors.DueAsync(MonitorKind.Push, F.Clock.GetUtcNow().AddDays(1), 10, Ct)).ShouldBeEmpty();
        await Should.ThrowAsync<ArgumentException>(() => F.Monitors.ListAsync(new MonitorQuery { Cursor = "!!not-a-cursor" }, Ct));
    }
}
