using System.Text.Json.Nodes;

namespace Lifeline.Storage.Conformance;

/// <summary>Batch reads for pages of many monitors: every monitor of a page in one query.</summary>
public abstract class MonitorOverviewStoreTests : StoreTests
{
    private async Task<Monitor> PushWithEventsAsync(string name, int events)
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(name), Ct);
        for (var i = 1; i <= events; i++)
        {
            F.Clock.Advance(TimeSpan.FromSeconds(1));
            await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up($"{name} {i}"), Ct);
        }
        return monitor;
    }

    [Fact]
    public async Task Recent_events_give_each_monitor_its_newest_events_newest_first()
    {
        var a = await PushWithEventsAsync("a", 5);
        var b = await PushWithEventsAsync("b", 2);
        var silent = await F.Monitors.AddAsync(F.NewPush("silent"), Ct);
        var other = await PushWithEventsAsync("other", 3);

        var recent = await F.Overview.RecentEventsAsync([a.Id, b.Id, silent.Id], 3, Ct);

        recent.Keys.Order(StringComparer.Ordinal).ShouldBe(new[] { a.Id, b.Id }.Order(StringComparer.Ordinal));
        recent[a.Id].Select(e => e.Msg).ShouldBe(["a 5", "a 4", "a 3"]);
        recent[b.Id].Select(e => e.Msg).ShouldBe(["b 2", "b 1"]);
        recent.ContainsKey(other.Id).ShouldBeFalse();
    }

    [Fact]
    public async Task Recent_events_leave_out_bodies_and_keep_check_details_with_the_certificate_expiry()
    {
        var site = await F.Monitors.AddAsync(new Monitor
        {
            Id = Secrets.NewId(),
            Name = "site",
            Kind = MonitorKind.Http,
            Target = "https://127.0.0.1:9/",
            CreatedAt = F.Clock.GetUtcNow(),
        }, Ct);
        var expiry = F.Clock.GetUtcNow().AddDays(20);
        await F.Monitors.RecordAsync(new SignalAddress { MonitorId = site.Id }, new Signal
        {
            Kind = SignalKind.Check,
            At = F.Clock.GetUtcNow(),
            DurationMs = 42,
            Body = "a large body",
            CertificateExpiresAt = expiry,
            Conditions = [new ConditionCheck("[STATUS] == 200", true, "200 == 200")],
        }, Ct);

        var e = (await F.Overview.RecentEventsAsync([site.Id], 30, Ct))[site.Id].Single();

        e.Body.ShouldBeNull();
        e.DurationMs.ShouldBe(42);
        e.CertificateExpiresAt.ShouldBe(expiry);
        (await F.Monitors.EventsAsync(site.Id, 1, Ct)).Single().Body.ShouldBe("a large body");
    }

    [Fact]
    public async Task Events_before_page_back_through_a_monitors_events()
    {
        var a = await PushWithEventsAsync("a", 5);

        var first = await F.Overview.EventsBeforeAsync(a.Id, null, 2, Ct);
        var second = await F.Overview.EventsBeforeAsync(a.Id, first[^1].Id, 2, Ct);
        var last = await F.Overview.EventsBeforeAsync(a.Id, second[^1].Id, 2, Ct);

        first.Select(e => e.Msg).ShouldBe(["a 5", "a 4"]);
        second.Select(e => e.Msg).ShouldBe(["a 3", "a 2"]);
        last.Select(e => e.Msg).ShouldBe(["a 1"]);
    }

    [Fact]
    public async Task Find_many_reads_the_monitors_asked_for_and_skips_unknown_ids()
    {
        var a = await PushWithEventsAsync("a", 1);
        var b = await PushWithEventsAsync("b", 0);
        await PushWithEventsAsync("c", 0);

        var found = await F.Overview.FindManyAsync([a.Id, b.Id, "nope"], Ct);

        found.Select(m => m.Name).Order().ShouldBe(["a", "b"]);
        found.Single(m => m.Name == "a").EventCount.ShouldBe(1);
        (await F.Overview.FindManyAsync([], Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Incidents_between_are_those_of_the_monitors_that_overlap_the_window()
    {
        var a = await F.Monitors.AddAsync(F.NewPush("a"), Ct);
        var b = await F.Monitors.AddAsync(F.NewPush("b"), Ct);
        var c = await F.Monitors.AddAsync(F.NewPush("c"), Ct);
        var start = F.Clock.GetUtcNow();
        async Task Flip(Monitor m, bool up) =>
            await F.Monitors.RecordAsync(SignalAddress.ForToken(m.PushToken!), up ? F.Up() : F.Down(), Ct);
        await Flip(a, up: false);            // a: down at start, up at +1 h (before the window)
        F.Clock.Advance(TimeSpan.FromHours(1));
        await Flip(a, up: true);
        F.Clock.Advance(TimeSpan.FromHours(1));
        await Flip(b, up: false);            // b: down at +2 h, up at +4 h (inside)
        await Flip(c, up: false);            // c: down at +2 h, still open
        F.Clock.Advance(TimeSpan.FromHours(2));
        await Flip(b, up: true);

        var incidents = await F.Overview.IncidentsBetweenAsync([a.Id, b.Id], start.AddHours(1.5), start.AddHours(5), Ct);
        var open = await F.Overview.IncidentsBetweenAsync([c.Id], start.AddHours(3), start.AddHours(5), Ct);

        incidents.Select(i => i.MonitorId).ShouldBe([b.Id]);
        incidents.Single().EndedAt.ShouldBe(start.AddHours(4));
        open.Single().EndedAt.ShouldBeNull();
    }

    [Fact]
    public async Task Notices_of_a_monitor_name_their_channel_and_delivery_state_newest_first()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "ops hook", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, F.Clock.GetUtcNow()), Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush("backup", channels: "c1"), Ct);
        var other = await F.Monitors.AddAsync(F.NewPush("other", channels: "c1"), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down(), Ct);
        var claimed = await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct);
        await F.Outbox.CompleteAsync(claimed.Single(), new DeliveryOutcome(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200), Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(1));
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(other.PushToken!), F.Down(), Ct);

        var notices = await F.Overview.NoticesAsync(monitor.Id, 10, Ct);

        notices.Select(n => n.Type).ShouldBe([Notice.UpType, Notice.DownType]);
        notices[0].State.ShouldBe(DeliveryState.Pending);
        notices[1].State.ShouldBe(DeliveryState.Sent);
        notices[1].Attempts.ShouldBe(1);
        notices[1].SentAt.ShouldNotBeNull();
        notices.ShouldAllBe(n => n.ChannelId == "c1" && n.ChannelName == "ops hook" && n.ChannelKind == "webhook");
    }
}
