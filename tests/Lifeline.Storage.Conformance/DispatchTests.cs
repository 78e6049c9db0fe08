using System.Text.Json.Nodes;
using Lifeline.Channels.Webhook;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Conformance;

/// <summary>The outbox dispatcher with the real store and the real webhook channel against a real receiver.</summary>
public abstract class DispatchTests : StoreTests
{
    private RecordingServer _receiver = null!;
    private HttpClient _http = null!;
    private OutboxDispatcher _dispatcher = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _receiver = await RecordingServer.StartAsync();
        _http = new HttpClient();
        _dispatcher = new OutboxDispatcher(F.Outbox, [new WebhookChannel(_http, F.Clock)], F.Clock,
            new DispatchOptions { PublicUrl = "http://lifeline.test" }, new DispatchSignal(), new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance);
        await F.Channels.AddAsync(new ChannelConfig("hook", "webhook", "hook", new JsonObject { ["url"] = _receiver.Url("/hook"), ["secret"] = "s3cret" }, F.Clock.GetUtcNow()), CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<Monitor> FlapAsync(int times)
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["hook"]), CancellationToken.None);
        for (var i = 0; i < times; i++)
        {
            await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), i % 2 == 0 ? F.Down($"fail {i}") : F.Up($"ok {i}"), CancellationToken.None);
        }
        return monitor;
    }

    /// <summary>One dispatcher pass, waiting for the sends it started to be recorded.</summary>
    private async Task PassAsync()
    {
        await _dispatcher.DispatchOnceAsync(CancellationToken.None);
        await _dispatcher.WhenIdleAsync();
    }

    /// <summary>Runs the dispatcher and moves the clock until nothing is pending or the limit is hit.</summary>
    private async Task DrainAsync(TimeSpan step, int maxPasses = 500)
    {
        for (var i = 0; i < maxPasses && await F.Outbox.PendingCountAsync(CancellationToken.None) > 0; i++)
        {
            await PassAsync();
            F.Clock.Advance(step);
        }
    }

    [Fact]
    public async Task A_notice_arrives_with_standard_webhooks_headers_and_a_valid_signature()
    {
        await FlapAsync(1);

        await PassAsync();

        var request = _receiver.Requests.Single();
        var id = request.Headers["webhook-id"];
        var timestamp = request.Headers["webhook-timestamp"];
        request.Headers["webhook-signature"].ShouldBe(WebhookChannel.Sign("s3cret", id, timestamp, request.Body));
        timestamp.ShouldBe(F.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var body = JsonNode.Parse(request.Body)!;
        body["type"]!.GetValue<string>().ShouldBe("monitor.down");
        body["reason"]!.GetValue<string>().ShouldBe("fail 0");
        body["monitor"]!["url"]!.GetValue<string>().ShouldStartWith("http://lifeline.test/");
        body["at"]!.GetValue<string>().ShouldEndWith("Z");
    }

    [Fact]
    public async Task A_receiver_that_fails_for_a_while_gets_every_notice_once_per_webhook_id_in_order()
    {
        var failuresLeft = 7;
        _receiver.Responder = _ => Interlocked.Decrement(ref failuresLeft) >= 0 ? new Reply(503, "busy") : new Reply(200);
        await FlapAsync(4);

        await DrainAsync(TimeSpan.FromMinutes(1));

        // The first seven attempts were refused; everything after them was accepted.
        var delivered = _receiver.Requests.Skip(7).ToList();
        var ids = _receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().ToList();
        ids.Count.ShouldBe(4);
        delivered.Select(r => r.Headers["webhook-id"]).ShouldBe(ids);
        delivered.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).ShouldBe(["monitor.down", "monitor.up", "monitor.down", "monitor.up"]);
        (await F.Outbox.PendingCountAsync(CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task Retries_wait_as_long_as_retry_after_asks()
    {
        var calls = 0;
        _receiver.Responder = _ => Interlocked.Increment(ref calls) == 1
            ? new Reply(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "120" })
            : new Reply(200);
        await FlapAsync(1);

        await PassAsync();
        F.Clock.Advance(TimeSpan.FromSeconds(119));
        await PassAsync();
        var beforeRetryAfter = _receiver.Requests.Count;
        F.Clock.Advance(TimeSpan.FromSeconds(1));
        await PassAsync();

        beforeRetryAfter.ShouldBe(1);
        _receiver.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_webhook_refused_with_a_4xx_is_retried_until_the_receiver_accepts()
    {
        var refusals = 2;
        _receiver.Responder = _ => Interlocked.Decrement(ref refusals) >= 0 ? new Reply(410, "gone") : new Reply(200);
        await FlapAsync(1);

        await DrainAsync(TimeSpan.FromMinutes(5), maxPasses: 10);

        _receiver.Requests.Count.ShouldBe(3);
        _receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().Count().ShouldBe(1);
        var attempts = await F.Outbox.DeliveriesAsync("hook", 10, CancellationToken.None);
        attempts.Select(a => a.Ok).ShouldBe([true, false, false]);
        attempts.Skip(1).ShouldAllBe(a => a.StatusCode == 410 && a.State == DeliveryState.Pending);
        attempts[0].State.ShouldBe(DeliveryState.Sent);
    }

    [Fact]
    public async Task A_permanent_refusal_from_a_provider_is_recorded_and_not_retried()
    {
        await F.Channels.AddAsync(new ChannelConfig("slack", "slack", "slack", new JsonObject { ["url"] = _receiver.Url("/slack") }, F.Clock.GetUtcNow()), CancellationToken.None);
        _dispatcher = new OutboxDispatcher(F.Outbox, [new WebhookChannel(_http, F.Clock), new Lifeline.Channels.Slack.SlackChannel(_http, F.Clock)], F.Clock,
            new DispatchOptions(), new DispatchSignal(), new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance);
        _receiver.Responder = request => request.Path == "/slack" ? new Reply(404, "no_service") : new Reply(200);
        var monitor = await F.Monitors.AddAsync(F.NewPush(channels: ["slack"]), CancellationToken.None);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down(), CancellationToken.None);

        await DrainAsync(TimeSpan.FromMinutes(5), maxPasses: 10);

        _receiver.Requests.Count(r => r.Path == "/slack").ShouldBe(1);
        var attempt = (await F.Outbox.DeliveriesAsync("slack", 10, CancellationToken.None)).Single();
        attempt.State.ShouldBe(DeliveryState.Dead);
        attempt.StatusCode.ShouldBe(404);
    }

    [Fact]
    public async Task Notices_pending_when_the_server_stops_are_delivered_after_it_starts_again()
    {
        _receiver.Responder = _ => new Reply(500);
        await FlapAsync(2);
        await PassAsync();

        await F.ReopenAsync();
        _receiver.Responder = _ => new Reply(200);
        _dispatcher = new OutboxDispatcher(F.Outbox, [new WebhookChannel(_http, F.Clock)], F.Clock, new DispatchOptions(), new DispatchSignal(), new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance);
        await DrainAsync(TimeSpan.FromMinutes(1));

        _receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().Count().ShouldBe(2);
        (await F.Outbox.PendingCountAsync(CancellationToken.None)).ShouldBe(0);
    }
}
