using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Commands;

public sealed class PingCommandTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = new();
    private RecordingServer _server = null!;

    public async Task InitializeAsync() => _server = await RecordingServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_acknowledged_signal_exits_0_with_status_msg_and_value_in_the_query()
    {
        _server.Responder = _ => new Reply(200, """{"ok":true,"message":"saved"}""");

        var code = await _cli.InvokeAsync("ping", _server.Url("/api/push/tok123"), "--msg", "backup done", "--value", "42");

        code.ShouldBe(0);
        var request = _server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/push/tok123");
        request.Query.ShouldBe("?status=up&msg=backup%20done&value=42");
        _cli.Messages.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task Down_on_a_ping_url_goes_to_fail_with_the_message_as_body()
    {
        _server.Responder = _ => new Reply(200, "OK", ContentType: "text/plain");

        var code = await _cli.InvokeAsync("ping", _server.Url("/ping/tok123"), "--status", "down", "--msg", "disk full");

        code.ShouldBe(0);
        var request = _server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/ping/tok123/fail");
        request.Body.ShouldBe("disk full");
    }

    [Fact]
    public async Task A_4xx_exits_2_at_once_with_the_servers_message_on_stderr()
    {
        _server.Responder = _ => new Reply(404, """{"ok":false,"msg":"Monitor not found or not active.","error":"unknown token"}""");

        var code = await _cli.InvokeAsync("ping", _server.Url("/api/push/nope"));

        code.ShouldBe(2);
        _server.Requests.Count.ShouldBe(1);
        _cli.Messages.ToString().ShouldContain("refused the signal: HTTP 404: unknown token");
    }

    [Fact]
    public async Task A_bad_parameter_answer_is_not_retried_either()
    {
        _server.Responder = _ => new Reply(400, """{"ok":false,"msg":"bad value","error":"value must be a number"}""");

        var code = await _cli.InvokeAsync("ping", _server.Url("/api/push/tok123"));

        code.ShouldBe(2);
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_acknowledged()
    {
        var calls = 0;
        _server.Responder = _ => Interlocked.Increment(ref calls) == 1 ? new Reply(502, "bad gateway", ContentType: "text/plain") : new Reply(200, "OK", ContentType: "text/plain");

        var code = await _cli.InvokeAsync("ping", _server.Url("/ping/tok123"));

        code.ShouldBe(0);
        _server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task An_unreachable_server_exits_3_after_the_retry_window_with_a_clear_message()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        var code = await _cli.InvokeAsync("ping", $"http://127.0.0.1:{CliHarness.ClosedPort()}/api/push/tok123", "--retry-for", "1");

        code.ShouldBe(3);
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(6));
        _cli.Messages.ToString().ShouldContain("no acknowledgement from 127.0.0.1 within 1 s");
        _cli.Messages.ToString().ShouldContain("refused", Case.Insensitive);
    }

    [Theory]
    [InlineData("ping", "not-a-url")]
    [InlineData("ping", "http://127.0.0.1/api/push/x", "--status", "sideways")]
    [InlineData("ping", "http://127.0.0.1/api/push/x", "--retry-for", "soon")]
    public async Task Invalid_arguments_exit_1(params string[] args)
    {
        (await _cli.InvokeAsync(args)).ShouldBe(1);
        _server.Requests.ShouldBeEmpty();
    }
}
