using System.Diagnostics;
using Lifeline.Cli.Commands;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Commands;

public sealed class RunCommandTests : IAsyncLifetime, IDisposable
{
    private static readonly RunCommand.Reporting Quick = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    private readonly CliHarness _cli = new();
    private RecordingServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RecordingServer.StartAsync();
        _server.Responder = _ => new Reply(200, "OK", ContentType: "text/plain");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private string PingUrl => _server.Url("/ping/tok123");

    private static string RunId(RecordedRequest request) => request.Query.Split("rid=")[1];

    [Fact]
    public async Task A_successful_job_sends_start_then_0_with_the_same_run_id_and_its_output()
    {
        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--", "sh", "-c", "echo hello; echo oops >&2");

        code.ShouldBe(0);
        var requests = _server.Requests;
        requests.Count.ShouldBe(2);
        requests[0].Path.ShouldBe("/ping/tok123/start");
        requests[1].Path.ShouldBe("/ping/tok123/0");
        requests[1].Method.ShouldBe("POST");
        Guid.TryParse(RunId(requests[0]), out _).ShouldBeTrue();
        RunId(requests[1]).ShouldBe(RunId(requests[0]));
        requests[1].Body.ShouldContain("hello\n");
        requests[1].Body.ShouldContain("oops\n");
        _cli.StandardOutput.Text.ShouldBe("hello\n");
        _cli.StandardError.Text.ShouldBe("oops\n");
    }

    [Fact]
    public async Task A_failing_job_exits_with_its_own_status_and_reports_it()
    {
        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--", "sh", "-c", "echo partial; exit 3");

        code.ShouldBe(3);
        var end = _server.Requests[^1];
        end.Path.ShouldBe("/ping/tok123/3");
        end.Body.ShouldBe("partial\n");
    }

    [Fact]
    public async Task The_body_is_the_tail_of_the_output_cut_to_the_servers_body_limit()
    {
        _server.Responder = _ => new Reply(200, "OK", new Dictionary<string, string> { ["Ping-Body-Limit"] = "100" }, "text/plain");

        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--", "sh", "-c", "i=1; while [ $i -le 1000 ]; do echo \"line $i\"; i=$((i+1)); done");

        code.ShouldBe(0);
        var body = _server.Requests[^1].Body;
        System.Text.Encoding.UTF8.GetByteCount(body).ShouldBe(100);
        body.ShouldEndWith("line 999\nline 1000\n");
        _cli.StandardOutput.Text.ShouldStartWith("line 1\nline 2\n");
    }

    [Fact]
    public async Task Without_a_limit_from_the_server_the_body_keeps_the_last_10000_bytes()
    {
        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--", "sh", "-c", "head -c 30000 /dev/zero | tr '\\0' x; echo END");

        code.ShouldBe(0);
        var body = _server.Requests[^1].Body;
        body.Length.ShouldBe(10_000);
        body.ShouldEndWith("xxEND\n");
        _cli.StandardOutput.Text.Length.ShouldBe(30_004);
    }

    [Fact]
    public async Task A_job_past_its_timeout_is_killed_with_its_children_and_reported_as_124()
    {
        var timer = Stopwatch.StartNew();

        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--timeout", "1", "--", "sh", "-c", "echo before; sleep 30; echo after");

        code.ShouldBe(124);
        timer.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        var end = _server.Requests[^1];
        end.Path.ShouldBe("/ping/tok123/124");
        end.Body.ShouldContain("before");
        end.Body.ShouldContain("timed out after 1 s");
        end.Body.ShouldNotContain("after\n");
    }

    [Fact]
    public async Task A_missing_command_exits_127_and_reports_why()
    {
        var code = await _cli.InvokeAsync("run", "--url", PingUrl, "--", "no-such-command-for-lifeline");

        code.ShouldBe(127);
        var end = _server.Requests[^1];
        end.Path.ShouldBe("/ping/tok123/127");
        end.Body.ShouldContain("no-such-command-for-lifeline: command not found");
        _cli.Messages.ToString().ShouldContain("command not found");
    }

    [Fact]
    public async Task An_unreachable_server_changes_nothing_about_the_job()
    {
        var url = new Uri($"http://127.0.0.1:{CliHarness.ClosedPort()}/ping/tok123");

        var code = await RunCommand.RunAsync(url, ["sh", "-c", "echo still running; exit 5"], null, _cli.Environment, Quick, CancellationToken.None);

        code.ShouldBe(5);
        _cli.StandardOutput.Text.ShouldBe("still running\n");
        _cli.Messages.ToString().ShouldContain("could not report the result to 127.0.0.1");
    }

    [Fact]
    public async Task A_slow_server_does_not_hold_up_the_jobs_start()
    {
        _server.Responder = request =>
        {
            if (request.Path.EndsWith("/start", StringComparison.Ordinal))
            {
                Thread.Sleep(TimeSpan.FromSeconds(3));
            }
            return new Reply(200, "OK", ContentType: "text/plain");
        };
        var reporting = new RunCommand.Reporting(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

        var code = await RunCommand.RunAsync(new Uri(PingUrl), ["sh", "-c", "echo started"], null, _cli.Environment, reporting, CancellationToken.None);

        code.ShouldBe(0);
        _cli.StandardOutput.FirstWriteAfter!.Value.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        _server.Requests.Select(r => r.Path).ShouldBe(["/ping/tok123/start", "/ping/tok123/0"]);
    }

    [Fact]
    public async Task An_api_push_url_gets_one_up_or_down_signal_at_the_end()
    {
        var code = await _cli.InvokeAsync("run", "--url", _server.Url("/api/push/tok123"), "--", "sh", "-c", "echo disk full; exit 1");

        code.ShouldBe(1);
        var request = _server.Requests.ShouldHaveSingleItem();
        request.Query.ShouldBe("?status=down&msg=exit%20status%201%3A%20disk%20full");
    }
}
