using System.Text.Json.Nodes;

namespace Lifeline.Storage.Conformance;

/// <summary>The outbox: notices queued with their transitions, claimed with leases, one at a time per channel.</summary>
public abstract class OutboxStoreTests : StoreTests
{
    private async Task AddChannelAsync(string id) =>
        await F.Channels.AddAsync(new ChannelConfig(id, "webhook", id, new JsonObject { ["url"] = "http://127.0.0.1:9/" + id }, F.Clock.GetUtcNow()), Ct);

    private Notice TestNotice(string reason = "test") => new()
    {
        Type = Notice.TestType,
        At = F.Clock.GetUtcNow(),
        Reason = reason,
        Monitor = new NoticeMonitor { Id = "m1", Name = "backup", Kind = "push", Status = "up" },
    };

    private DeliveryOutcome Sent() => new(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200);

    [Fact]
    public async Task A_channel_gets_its_notices_one_at_a_time_in_order()
    {
        await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", [], F.Clock.GetUtcNow()), Ct);
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["c1"]), Ct);
        var token = SignalAddress.ForToken(monitor.PushToken!);
        await F.Monitors.RecordAsync(token, F.Down(), Ct);
        await F.Monitors.RecordAsync(token, F.Up(), Ct);
        await F.Monitors.RecordAsync(token, F.Down(), Ct);
        var now = F.Clock.GetUtcNow();

        var first = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct);
        var whileLeased = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct);
        await F.Outbox.CompleteAsync(first[0], new DeliveryOutcome(DeliveryState.Pending, now, "HTTP 500", now.AddSeconds(5), 500), Ct);
        var beforeRetry = await F.Outbox.ClaimAsync(now.AddSeconds(4), TimeSpan.FromMinutes(1), 10, Ct);
        var atRetry = await F.Outbox.ClaimAsync(now.AddSeconds(5), TimeSpan.FromMinutes(1), 10, Ct);

        first.Single().Notice.IsDown.ShouldBeTrue();
        whileLeased.ShouldBeEmpty();
        beforeRetry.ShouldBeEmpty();
        atRetry.Single().Id.ShouldBe(first[0].Id);
        atRetry[0].Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task A_released_notice_is_claimed_again_at_once_with_no_attempt_counted()
    {
        await AddChannelAsync("c1");
        var now = F.Clock.GetUtcNow();
        await F.Outbox.EnqueueAsync("c1", TestNotice(), now, Ct);
        var claimed = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(2), 10, Ct)).Single();

        await F.Outbox.ReleaseAsync(claimed, Ct);
        var again = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(2), 10, Ct);

        again.Single().Id.ShouldBe(claimed.Id);
        again[0].DeliveryId.ShouldBe(claimed.DeliveryId);
        again[0].Attempts.ShouldBe(0);
        (await F.Outbox.DeliveriesAsync("c1", 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_enqueued_notice_is_claimed_with_its_channel_and_a_delivery_id()
    {
        await AddChannelAsync("c1");
        var now = F.Clock.GetUtcNow();

        var id = await F.Outbox.EnqueueAsync("c1", TestNotice("hello"), now, Ct);

        var item = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        item.Id.ShouldBe(id);
        item.ChannelId.ShouldBe("c1");
        item.Channel!.Kind.ShouldBe("webhook");
        item.Channel.Settings["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/c1");
        item.Notice.Reason.ShouldBe("hello");
        item.Notice.Monitor.Name.ShouldBe("backup");
        item.DeliveryId.ShouldNotBeNullOrWhiteSpace();
        item.Attempts.ShouldBe(0);
        item.CreatedAt.ShouldBe(now);
    }

    [Fact]
    public async Task A_notice_for_a_channel_that_does_not_exist_is_refused()
    {
        await Should.ThrowAsync<InvalidOperationException>(() => F.Outbox.EnqueueAsync("missing", TestNotice(), F.Clock.GetUtcNow(), Ct));

        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task The_heads_of_several_channels_are_claimed_together_up_to_the_limit()
    {
        foreach (var c in new[] { "c1", "c2", "c3" })
        {
            await AddChannelAsync(c);
            await F.Outbox.EnqueueAsync(c, TestNotice(c + "-first"), F.Clock.GetUtcNow(), Ct);
            await F.Outbox.EnqueueAsync(c, TestNotice(c + "-second"), F.Clock.GetUtcNow(), Ct);
        }
        var now = F.Clock.GetUtcNow();

        var two = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 2, Ct);
        var rest = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct);

        two.Select(i => i.Notice.Reason).ShouldBe(["c1-first", "c2-first"]);
        rest.Select(i => i.Notice.Reason).ShouldBe(["c3-first"]);
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(6);
    }

    [Fact]
    public async Task A_lease_that_runs_out_lets_the_same_notice_be_claimed_again_with_the_same_delivery_id()
    {
        await AddChannelAsync("c1");
        await F.Outbox.EnqueueAsync("c1", TestNotice(), F.Clock.GetUtcNow(), Ct);
        var now = F.Clock.GetUtcNow();

        var first = (await F.Outbox.ClaimAsync(now, TimeSpan.FromSeconds(30), 10, Ct)).Single();
        var during = await F.Outbox.ClaimAsync(now.AddSeconds(29), TimeSpan.FromSeconds(30), 10, Ct);
        var after = await F.Outbox.ClaimAsync(now.AddSeconds(30), TimeSpan.FromSeconds(30), 10, Ct);

        during.ShouldBeEmpty();
        after.Single().Id.ShouldBe(first.Id);
        after[0].DeliveryId.ShouldBe(first.DeliveryId);
    }

    [Fact]
    public async Task Completing_the_head_lets_the_next_notice_of_the_channel_go()
    {
        await AddChannelAsync("c1");
        await F.Outbox.EnqueueAsync("c1", TestNotice("one"), F.Clock.GetUtcNow(), Ct);
        await F.Outbox.EnqueueAsync("c1", TestNotice("two"), F.Clock.GetUtcNow(), Ct);
        var now = F.Clock.GetUtcNow();

        var one = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        await F.Outbox.CompleteAsync(one, Sent(), Ct);
        var two = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, Ct)).Single();
        await F.Outbox.CompleteAsync(two, new DeliveryOutcome(DeliveryState.Dead, now, "HTTP 404", null, 404), Ct);

        one.Notice.Reason.ShouldBe("one");
        two.Notice.Reason.ShouldBe("two");
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(0);
        (await F.Outbox.ClaimAsync(now.AddHours(1), TimeSpan.FromMinutes(1), 10, Ct)).ShouldBeEmpty();
        var attempts = await F.Outbox.DeliveriesAsync("c1", 10, Ct);
        attempts.Select(a => (a.DeliveryId, a.Ok, a.State, a.StatusCode, a.Error)).ShouldBe(
        [
            (two.DeliveryId, false, DeliveryState.Dead, (int?)404, "HTTP 404"),
            (one.DeliveryId, true, DeliveryState.Sent, (int?)200, (string?)null),
        ]);
        attempts.ShouldAllBe(a => a.NoticeType == Notice.TestType && a.MonitorName == "backup" && a.Attempt == 1);
    }

    [Fact]
    public async Task Claims_made_at_the_same_time_never_hand_out_one_notice_twice()
    {
        for (var c = 0; c < 20; c++)
        {
            await AddChannelAsync($"c{c}");
            await F.Outbox.EnqueueAsync($"c{c}", TestNotice(), F.Clock.GetUtcNow(), Ct);
        }
        var now = F.Clock.GetUtcNow();

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 5, Ct)));

        var ids = claims.SelectMany(c => c).Select(i => i.Id).ToList();
        ids.Count.ShouldBe(20);
        ids.Distinct().Count().ShouldBe(20);
    }

    private Notice Down(string name) => new()
    {
        Type = Notice.DownType,
        At = F.Clock.GetUtcNow(),
        Reason = "missed",
        Monitor = new NoticeMonitor { Id = name, Name = name, Kind = "push", Status = "down" },
    };

    private static readonly NoticeGrouping TenSeconds = new(_ => TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_grouped_claim_takes_the_run_of_one_type_behind_the_head_and_completes_it_in_one_go()
    {
        await AddChannelAsync("c1");
        var now = F.Clock.GetUtcNow();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await F.Outbox.EnqueueAsync("c1", Down(name), now, Ct);
        }
        await F.Outbox.EnqueueAsync("c1", TestNotice(), now, Ct);
        await F.Outbox.EnqueueAsync("c1", Down("d"), now, Ct);

        var group = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, TenSeconds, Ct)).Single();
        var whileLeased = await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, TenSeconds, Ct);
        await F.Outbox.CompleteAsync(group, new DeliveryOutcome(DeliveryState.Pending, now, "HTTP 500", now.AddSeconds(5), 500), Ct);
        var retried = (await F.Outbox.ClaimAsync(now.AddSeconds(5), TimeSpan.FromMinutes(1), 10, TenSeconds, Ct)).Single();
        await F.Outbox.CompleteAsync(retried, new DeliveryOutcome(DeliveryState.Sent, now.AddSeconds(5), null, null, 200), Ct);
        var test = (await F.Outbox.ClaimAsync(now.AddSeconds(5), TimeSpan.FromMinutes(1), 10, TenSeconds, Ct)).Single();
        await F.Outbox.CompleteAsync(test, new DeliveryOutcome(DeliveryState.Sent, now.AddSeconds(5), null, null, 200), Ct);
        var inWindow = await F.Outbox.ClaimAsync(now.AddSeconds(14), TimeSpan.FromMinutes(1), 10, TenSeconds, Ct);
        var afterWindow = await F.Outbox.ClaimAsync(now.AddSeconds(15), TimeSpan.FromMinutes(1), 10, TenSeconds, Ct);
        var deliveries = await F.Outbox.DeliveriesAsync("c1", 20, Ct);

        group.Members.Select(m => m.Notice.Monitor.Name).ShouldBe(["a", "b", "c"]);
        whileLeased.ShouldBeEmpty();
        retried.Members.Select(m => m.Id).ShouldBe(group.Members.Select(m => m.Id));
        retried.Members.Select(m => m.Attempts).ShouldBe([1, 1, 1]);
        test.Notice.Type.ShouldBe(Notice.TestType);
        test.Grouped.ShouldBeEmpty();
        inWindow.ShouldBeEmpty("d waits out the window after the last down notice was sent");
        afterWindow.Single().Notice.Monitor.Name.ShouldBe("d");
        deliveries.Count.ShouldBe(7);
        deliveries.Count(d => d.Ok).ShouldBe(4);
        (await F.Outbox.PendingCountAsync(Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task Without_a_window_every_notice_goes_alone_and_at_once()
    {
        await AddChannelAsync("c1");
        var now = F.Clock.GetUtcNow();
        await F.Outbox.EnqueueAsync("c1", Down("a"), now, Ct);
        await F.Outbox.EnqueueAsync("c1", Down("b"), now, Ct);

        var first = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, NoticeGrouping.Off, Ct)).Single();
        await F.Outbox.CompleteAsync(first, Sent(), Ct);
        var second = (await F.Outbox.ClaimAsync(now, TimeSpan.FromMinutes(1), 10, NoticeGrouping.Off, Ct)).Single();

        first.Grouped.ShouldBeEmpty();
        second.Notice.Monitor.Name.ShouldBe("b");
    }
}
