using System.Text.Json.Nodes;

namespace Lifeline.Storage.Conformance;

/// <summary>Dependency holds and acknowledgements, on a real store and a manual clock.</summary>
public abstract class DependencyTests : StoreTests
{
    private readonly DispatchSignal _dispatch = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var id in new[] { "c1", "c2" })
        {
            await F.Channels.AddAsync(new ChannelConfig(id, "webhook", id, new JsonObject { ["url"] = "http://127.0.0.1:9/" }, F.Clock.GetUtcNow()), Ct);
        }
    }

    public override async Task DisposeAsync()
    {
        _dispatch.Dispose();
        await base.DisposeAsync();
    }

    private DependencySweep NewSweep() => new(F.Monitors, F.Dependencies, F.Clock, _dispatch);

    private async Task<Monitor> UpMonitor(string name, params string[] dependsOn)
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(name, channels: ["c1", "c2"]) with { DependsOn = dependsOn }, Ct);
        return (await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Monitor!;
    }

    private Task<SignalResult> Signal(Monitor monitor, Signal signal) =>
        F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), signal, Ct);

    /// <summary>Every notice in the outbox, delivered one claim at a time (a claim takes one per channel).</summary>
    private async Task<List<OutboxItem>> DrainAsync()
    {
        var all = new List<OutboxItem>();
        while (await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 100, Ct) is { Count: > 0 } claimed)
        {
            foreach (var item in claimed)
            {
                await F.Outbox.CompleteAsync(item, new DeliveryOutcome(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200), Ct);
            }
            all.AddRange(claimed);
        }
        return all;
    }

    [Fact]
    public async Task A_30_dependant_outage_gives_one_notice_per_channel_the_parents()
    {
        var agent = await UpMonitor("agent");
        var webs = new List<Monitor>();
        for (var i = 0; i < 30; i++)
        {
            webs.Add(await UpMonitor($"web{i:00}", agent.Id));
        }
        // The first dependant fails before anyone knows the host is gone: it waits for its parent.
        await Signal(webs[0], F.Down("connection refused"));
        var early = await DrainAsync();
        F.Clock.Advance(TimeSpan.FromSeconds(5));
        await NewSweep().SweepOnceAsync(Ct);

        await Signal(agent, F.Down("host unreachable"));
        F.Clock.Advance(TimeSpan.FromSeconds(3));
        foreach (var web in webs.Skip(1))
        {
            await Signal(web, F.Down("connection refused"));
        }
        await NewSweep().SweepOnceAsync(Ct);

        early.ShouldBeEmpty();
        var notices = await DrainAsync();
        notices.Select(n => n.ChannelId).Order().ShouldBe(["c1", "c2"]);
        notices.ShouldAllBe(n => n.Notice.Monitor.Name == "agent" && n.Notice.IsDown);
        notices[0].Notice.Dependants.ShouldBe(30);
        notices[0].Notice.DependantsDown.ShouldBe(1);
        var held = (await F.Monitors.IncidentsAsync(webs[7].Id, 10, Ct)).Single();
        held.SuppressedBy.ShouldBe("agent");
        held.Reason.ShouldBe("connection refused (suppressed by agent)");
        (await F.Monitors.FindAsync(webs[7].Id, Ct))!.SuppressedBy.ShouldBe("agent");
        // The one that went down first is held for the agent too, once the sweep saw the agent down.
        (await F.Monitors.FindAsync(webs[0].Id, Ct))!.SuppressedBy.ShouldBe("agent");
        (await F.Monitors.IncidentsAsync(webs[0].Id, 10, Ct)).Single().SuppressedBy.ShouldBe("agent");
    }

    [Fact]
    public async Task A_dependant_down_while_its_parent_looks_healthy_alerts_once_the_parent_is_heard_from_up()
    {
        var agent = await UpMonitor("agent");
        var web = await UpMonitor("web", agent.Id);
        await Signal(web, F.Down("connection refused"));
        F.Clock.Advance(TimeSpan.FromSeconds(5));
        var waiting = await F.Monitors.FindAsync(web.Id, Ct);
        var beforeHeard = await NewSweep().SweepOnceAsync(Ct);
        var quiet = await DrainAsync();

        await Signal(agent, F.Up());
        var released = await NewSweep().SweepOnceAsync(Ct);
        var again = await NewSweep().SweepOnceAsync(Ct);

        waiting!.Status.ShouldBe(MonitorStatus.Down);
        waiting.SuppressedBy.ShouldBe(Dependencies.AwaitingParents);
        (await F.Monitors.IncidentsAsync(web.Id, 10, Ct)).Single().SuppressedBy.ShouldBeNull();
        beforeHeard.ShouldBe(0);
        quiet.ShouldBeEmpty();
        released.ShouldBe(1);
        again.ShouldBe(0);
        var notices = await DrainAsync();
        notices.Select(n => n.ChannelId).Order().ShouldBe(["c1", "c2"]);
        notices.ShouldAllBe(n => n.Notice.Monitor.Name == "web" && n.Notice.IsDown && n.Notice.Reason == "connection refused");
        notices[0].Notice.IncidentStartedAt.ShouldBe(waiting.LastAlertAt);
        (await F.Monitors.FindAsync(web.Id, Ct))!.SuppressedBy.ShouldBeNull();
    }

    [Fact]
    public async Task A_dependant_waits_for_a_silent_parent_no_longer_than_the_wait()
    {
        var agent = await F.Monitors.AddAsync(F.NewPush("agent", periodSeconds: 3600, channels: ["c1"]), Ct);
        await Signal(agent, F.Up());
        var web = await UpMonitor("web", agent.Id);
        await Signal(web, F.Down("connection refused"));
        var sweep = new DependencySweep(F.Monitors, F.Dependencies, F.Clock, _dispatch) { Wait = TimeSpan.FromSeconds(30) };

        F.Clock.Advance(TimeSpan.FromSeconds(29));
        var early = await sweep.SweepOnceAsync(Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(1));
        var late = await sweep.SweepOnceAsync(Ct);

        early.ShouldBe(0);
        late.ShouldBe(1);
        (await DrainAsync()).Select(n => (n.Notice.Monitor.Name, n.Notice.Reason)).ShouldBe([("web", "connection refused"), ("web", "connection refused")]);
    }

    [Fact]
    public async Task A_dependant_that_recovers_while_it_waits_sends_nothing_at_all()
    {
        var agent = await UpMonitor("agent");
        var web = await UpMonitor("web", agent.Id);
        await Signal(web, F.Down("connection refused"));
        F.Clock.Advance(TimeSpan.FromSeconds(3));

        await Signal(web, F.Up());
        await Signal(agent, F.Up());
        var swept = await NewSweep().SweepOnceAsync(Ct);

        swept.ShouldBe(0);
        (await DrainAsync()).ShouldBeEmpty();
        var monitor = (await F.Monitors.FindAsync(web.Id, Ct))!;
        monitor.Status.ShouldBe(MonitorStatus.Up);
        monitor.SuppressedBy.ShouldBeNull();
    }

    [Fact]
    public async Task When_the_parent_recovers_the_dependants_still_down_alert_once_and_the_others_stay_quiet()
    {
        var agent = await UpMonitor("agent");
        var webs = new List<Monitor>();
        for (var i = 0; i < 5; i++)
        {
            webs.Add(await UpMonitor($"web{i}", agent.Id));
        }
        await Signal(agent, F.Down("host unreachable"));
        foreach (var web in webs)
        {
            await Signal(web, F.Down("connection refused"));
        }
        await DrainAsync();
        F.Clock.Advance(TimeSpan.FromMinutes(2));
        foreach (var web in webs.Take(3))
        {
            await Signal(web, F.Up());
        }

        await Signal(agent, F.Up());
        var released = await NewSweep().SweepOnceAsync(Ct);
        var again = await NewSweep().SweepOnceAsync(Ct);

        released.ShouldBe(2);
        again.ShouldBe(0);
        var notices = await DrainAsync();
        notices.Where(n => n.Notice.IsUp).ShouldAllBe(n => n.Notice.Monitor.Name == "agent");
        notices.Count(n => n.Notice.IsUp).ShouldBe(2);
        var downs = notices.Where(n => n.Notice.IsDown).ToList();
        downs.Select(n => n.Notice.Monitor.Name).Order().ShouldBe(["web3", "web3", "web4", "web4"]);
        downs[0].Notice.Reason.ShouldBe("still down after agent recovered: connection refused");
        (await F.Monitors.FindAsync(webs[4].Id, Ct))!.SuppressedBy.ShouldBeNull();
        (await F.Dependencies.HeldAsync(10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_dependant_failing_while_its_parent_is_late_is_held_too()
    {
        var agent = await F.Monitors.AddAsync(F.NewPush("agent", periodSeconds: 60, graceSeconds: 60, channels: ["c1"]), Ct);
        await Signal(agent, F.Up());
        var web = await UpMonitor("web", agent.Id);
        F.Clock.Advance(TimeSpan.FromSeconds(61));
        await new DeadlineSweep(F.Monitors, F.Clock, new LifelineMetrics(), _dispatch).SweepOnceAsync(Ct);
        (await F.Monitors.FindAsync(agent.Id, Ct))!.Status.ShouldBe(MonitorStatus.Late);

        await Signal(web, F.Down("connection refused"));

        (await DrainAsync()).ShouldBeEmpty();
        (await F.Monitors.FindAsync(web.Id, Ct))!.SuppressedBy.ShouldBe("agent");
    }

    [Fact]
    public async Task Two_servers_sweeping_at_once_release_a_held_notice_once()
    {
        var agent = await UpMonitor("agent");
        var web = await UpMonitor("web", agent.Id);
        await Signal(agent, F.Down());
        await Signal(web, F.Down());
        await DrainAsync();
        await Signal(agent, F.Up());

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewSweep().SweepOnceAsync(Ct)));

        var notices = await DrainAsync();
        notices.Count(n => n.Notice.IsDown && n.Notice.Monitor.Name == "web").ShouldBe(2);
    }

    [Fact]
    public async Task An_acknowledgement_stops_the_reminders_and_the_recovery_notice_still_goes_out()
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush("backup", channels: ["c1"]) with { RemindEvery = TimeSpan.FromMinutes(10) }, Ct);
        await Signal(monitor, F.Up());
        var sweep = new DeadlineSweep(F.Monitors, F.Clock, new LifelineMetrics(), _dispatch);
        await Signal(monitor, F.Down("disk full"));
        F.Clock.Advance(TimeSpan.FromMinutes(10));
        await sweep.SweepOnceAsync(Ct);
        (await DrainAsync()).Count(n => n.Notice.Reminder).ShouldBe(1);
        var ackedAt = F.Clock.GetUtcNow();

        var acked = await F.Monitors.ChangeAsync(monitor.Id, m => Acknowledgement.Ack(m, "alice", ackedAt)!, Ct);
        for (var i = 0; i < 6; i++)
        {
            F.Clock.Advance(TimeSpan.FromMinutes(10));
            await sweep.SweepOnceAsync(Ct);
        }
        var quiet = await DrainAsync();
        await Signal(monitor, F.Up("fixed"));

        acked!.AcknowledgedBy.ShouldBe("alice");
        quiet.ShouldBeEmpty();
        (await DrainAsync()).Single().Notice.IsUp.ShouldBeTrue();
        var incident = (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Single();
        incident.AcknowledgedBy.ShouldBe("alice");
        incident.AcknowledgedAt.ShouldBe(ackedAt);
        var after = (await F.Monitors.FindAsync(monitor.Id, Ct))!;
        after.AcknowledgedBy.ShouldBeNull();
        after.AcknowledgedAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_monitor_reads_back_with_its_parents()
    {
        var agent = await UpMonitor("agent");
        var uplink = await UpMonitor("uplink");

        var web = await UpMonitor("web", agent.Id, uplink.Id);

        (await F.Monitors.FindAsync(web.Id, Ct))!.DependsOn.ShouldBe([agent.Id, uplink.Id]);
        (await F.Dependencies.DependantsAsync(Ct)).Single().ShouldBe(new DependencyNode(web.Id, "web", [agent.Id, uplink.Id], MonitorStatus.Up), new DependencyNodeComparer());
    }

    private sealed class DependencyNodeComparer : IEqualityComparer<DependencyNode>
    {
        public bool Equals(DependencyNode? x, DependencyNode? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Name == y.Name && x.Status == y.Status && x.DependsOn.SequenceEqual(y.DependsOn);

        public int GetHashCode(DependencyNode obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_monitor_removes_it_from_the_dependsOn_of_the_others()
    {
        var uplink = await UpMonitor("uplink");
        var agent = await UpMonitor("agent");
        var web = await UpMonitor("web", agent.Id, uplink.Id);
        var api = await UpMonitor("api", agent.Id);

        (await F.Monitors.DeleteAsync(agent.Id, Ct)).ShouldBeTrue();
        // A signal after the delete: a store that caches monitors must not bring the old list back.
        await Signal(web, F.Up());

        (await F.Monitors.FindAsync(web.Id, Ct))!.DependsOn.ShouldBe([uplink.Id]);
        (await F.Monitors.FindAsync(api.Id, Ct))!.DependsOn.ShouldBeEmpty();
        (await F.Dependencies.DependantsAsync(Ct)).Select(n => n.Name).ShouldBe(["web"]);
    }

    [Fact]
    public async Task Two_edits_that_each_passed_the_check_alone_cannot_close_a_cycle_between_them()
    {
        var agent = await UpMonitor("agent");
        var web = await UpMonitor("web");

        // Both edits were checked against the graph before either was saved.
        await F.Monitors.ChangeAsync(web.Id, m => Flip.Quiet(m, m with { DependsOn = [agent.Id] }), Ct);
        var second = await Should.ThrowAsync<ConflictException>(() =>
            F.Monitors.ChangeAsync(agent.Id, m => Flip.Quiet(m, m with { DependsOn = [web.Id] }), Ct));

        second.Field.ShouldBe("dependsOn");
        second.Message.ShouldBe("cycle agent -> web -> agent");
        (await F.Monitors.FindAsync(agent.Id, Ct))!.DependsOn.ShouldBeEmpty();
    }
}
