using Lifeline.Client.Push;
using Lifeline.Testing;

namespace Lifeline.Client.Tests.Push;

public sealed class PushSenderTests : IAsyncLifetime
{
    private static readonly PushRetryOptions Fast = new()
    {
        FirstDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(2),
    };

    private readonly HttpClient _http = LifelineHttp.Create();
    private RecordingServer _server = null!;

    public async Task InitializeAsync() => _server = await RecordingServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private PushRequest Signal() => PushRequests.Signal(new Uri(_server.Url("/api/push/tok123")), PushSignal.Ok);

    [Fact]
    public async Task A_2xx_answer_is_acknowledged_and_its_body_limit_is_read()
    {
        _server.Responder = _ => new Reply(200, """{"ok":true,"message":"saved"}""", new Dictionary<string, string> { ["Ping-Body-Limit"] = "2048" });

        var result = await new PushSender(_http, options: Fast).SendAsync(Signal());

        result.Outcome.ShouldBe(PushOutcome.Acknowledged);
        result.BodyLimit.ShouldBe(2048);
        result.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task A_404_is_rejected_at_once_with_the_servers_words()
    {
        _server.Responder = _ => new Reply(404, """{"ok":false,"msg":"Monitor not found or not active.","error":"unknown token"}""");

        var result = await new PushSender(_http, options: Fast).SendAsync(Signal());

        result.Outcome.ShouldBe(PushOutcome.Rejected);
        result.StatusCode.ShouldBe(404);
        result.Message.ShouldBe("HTTP 404: unknown token");
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_5xx_is_retried_until_the_server_acknowledges()
    {
        var calls = 0;
        _server.Responder = _ => Interlocked.Increment(ref calls) <= 2 ? new Reply(503, "busy", ContentType: "text/plain") : new Reply(200, "OK", ContentType: "text/plain");

        var result = await new PushSender(_http, options: Fast).SendAsync(Signal());

        result.Outcome.ShouldBe(PushOutcome.Acknowledged);
        result.Attempts.ShouldBe(3);
        _server.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_time_the_server_asks_for()
    {
        var calls = 0;
        _server.Responder = _ => Interlocked.Increment(ref calls) == 1
            ? new Reply(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "0" }, "text/plain")
            : new Reply(200, "OK", ContentType: "text/plain");

        var result = await new PushSender(_http, options: Fast).SendAsync(Signal());

        result.Outcome.ShouldBe(PushOutcome.Acknowledged);
        result.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task A_closed_port_gives_up_after_the_retry_window_with_the_last_error()
    {
        var closed = new PushRequest(HttpMethod.Get, new Uri($"http://127.0.0.1:{ClosedPort.Find()}/api/push/tok123"));
        var timer = System.Diagnostics.Stopwatch.StartNew();

        var result = await new PushSender(_http, options: Fast).SendAsync(closed, TimeSpan.FromSeconds(1), CancellationToken.None);

        result.Outcome.ShouldBe(PushOutcome.Unreachable);
        result.Attempts.ShouldBeGreaterThan(1);
        result.Message.ShouldContain("refused", Case.Insensitive);
        timer.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }
}
