using System.Text.Json.Nodes;
using Lifeline.Channels.Webhook;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>
/// The dispatcher running as the server runs it, with one webhook receiver that accepts requests
/// and never answers (a real listener on loopback) beside one that answers at once.
/// </summary>
public sealed class SlowChannelTests : IAsyncLifetime
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(20);

    private SqliteFixture _f = null!;
    private RecordingServer _good = null!;
    private SilentServer _hung = null!;
    private HttpClient _http = null!;
    private DispatchSignal _signal = null!;
    private readonly CancellationTokenSource _stop = new();

    public async Task InitializeAsync()
    {
        _f = await SqliteFixture.OpenAsync();
        _good = await RecordingServer.StartAsync();
        _hung = SilentServer.Start(_f.Clock);
        _http = new HttpClient();
        _signal = new DispatchSignal();
        await _f.Store.AddAsync(new ChannelConfig("hung", "webhook", "hung", new JsonObject { ["url"] = _hung.Url("/hook") }, _f.Clock.GetUtcNow()), CancellationToken.None);
        await _f.Store.AddAsync(new ChannelConfig("good", "webhook", "good", new JsonObject { ["url"] = _good.Url("/hook") }, _f.Clock.GetUtcNow()), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _http.Dispose();
        await _hung.DisposeAsync();
        await _good.DisposeAsync();
        _signal.Dispose();
        _stop.Dispose();
        await _f.DisposeAsync();
    }

    private OutboxDispatcher NewDispatcher(int maxConcurrency = 32) =>
        new(_f.Store, [new WebhookChannel(_http, _f.Clock)], _f.Clock,
            new DispatchOptions { SendTimeout = SendTimeout, MaxConcurrency = maxConcurrency }, _signal, new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance);

    /// <summary>Starts the dispatcher's loop, as the server's dispatch worker does.</summary>
    private static Task Run(OutboxDispatcher dispatcher, CancellationToken stop) => Task.Run(() => dispatcher.RunAsync(stop), CancellationToken.None);

    /// <summary>A monitor sending to <paramref name="channels"/> that goes down, then (for two flips) up again.</summary>
    private async Task FlapAsync(int times, params string[] channels)
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(channels: channels), CancellationToken.None);
        for (var i = 0; i < times; i++)
        {
            await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), i % 2 == 0 ? _f.Down($"fail {i}") : _f.Up($"ok {i}"), CancellationToken.None);
        }
    }

    private Task<IReadOnlyList<DeliveryAttempt>> AttemptsAsync(string channel, Func<IReadOnlyList<DeliveryAttempt>, bool> done) =>
        Eventually.GetAsync(() => _f.Store.DeliveriesAsync(channel, 10, CancellationToken.None), done, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_hold_back_another_channels_notices()
    {
        await FlapAsync(2, "hung", "good");

        var run = Run(NewDispatcher(), _stop.Token);

        // Both of the good channel's notices arrive, in order, while the hung receiver still holds
        // the first request it got; the clock never moves, so no timeout has freed anything.
        var delivered = await _good.WaitForAsync(2);
        _hung.Requests.Count.ShouldBe(1);
        _hung.Open.ShouldBe(1);
        delivered.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).ShouldBe(["monitor.down", "monitor.up"]);
        (await AttemptsAsync("good", a => a.Count == 2)).ShouldAllBe(a => a.Ok);
        (await _f.Store.DeliveriesAsync("hung", 10, CancellationToken.None)).ShouldBeEmpty();
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_send_that_hangs_past_the_timeout_is_a_failed_attempt_and_is_retried_later_with_the_same_webhook_id()
    {
        await FlapAsync(1, "hung");
        var run = Run(NewDispatcher(), _stop.Token);
        await _hung.WaitUntilAsync(h => h.Requests.Count == 1);

        _f.Clock.Advance(SendTimeout);

        var attempt = (await AttemptsAsync("hung", a => a.Count == 1)).Single();
        attempt.Ok.ShouldBeFalse();
        attempt.State.ShouldBe(DeliveryState.Pending);
        attempt.Error.ShouldNotBeNull().ShouldContain("timed out");
        await _hung.WaitUntilAsync(h => h.Open == 0);

        // The first retry waits the first backoff step (5 s) after the timed-out attempt.
        for (var i = 0; i < 30 && _hung.Requests.Count < 2; i++)
        {
            _f.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        var requests = _hung.Requests;
        requests.Count.ShouldBe(2);
        requests[1].Header("webhook-id").ShouldBe(requests[0].Header("webhook-id"));
        (requests[1].At - requests[0].At).ShouldBeGreaterThanOrEqualTo(SendTimeout + TimeSpan.FromSeconds(5));
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Stopping_the_dispatcher_gives_back_a_notice_it_was_still_sending_so_the_next_start_sends_it_at_once()
    {
        await FlapAsync(1, "hung");
        using var first = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var run = Run(NewDispatcher(), first.Token);
        await _hung.WaitUntilAsync(h => h.Requests.Count == 1);

        await first.CancelAsync();
        await run;
        var restarted = Run(NewDispatcher(), _stop.Token);

        // No time passed: the notice is sent again because the stop released it, not because a lease ran out.
        await _hung.WaitUntilAsync(h => h.Requests.Count == 2);
        var requests = _hung.Requests;
        requests[1].Header("webhook-id").ShouldBe(requests[0].Header("webhook-id"));
        (await _f.Store.DeliveriesAsync("hung", 10, CancellationToken.None)).ShouldBeEmpty();
        await _stop.CancelAsync();
        await restarted;
    }

    [Fact]
    public async Task No_more_than_the_concurrency_limit_of_notices_are_in_flight_at_once()
    {
        await using var otherHung = SilentServer.Start(_f.Clock);
        await _f.Store.AddAsync(new ChannelConfig("hung2", "webhook", "hung2", new JsonObject { ["url"] = otherHung.Url("/hook") }, _f.Clock.GetUtcNow()), CancellationToken.None);
        await FlapAsync(1, "hung", "hung2");

        var run = Run(NewDispatcher(maxConcurrency: 1), _stop.Token);

        // The one lane is held by the first channel's notice until its attempt times out.
        await _hung.WaitUntilAsync(h => h.Requests.Count == 1);
        await Task.Delay(200);
        otherHung.Requests.ShouldBeEmpty();
        _f.Clock.Advance(SendTimeout);
        await otherHung.WaitUntilAsync(h => h.Requests.Count == 1);
        await _stop.CancelAsync();
        await run;
    }
}
