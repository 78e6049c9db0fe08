using Lifeline.Cli.Agent;
using Lifeline.Cli.Commands;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Agent;

public sealed class AgentCommandTests : IDisposable
{
    private static readonly Uri Web = new("http://127.0.0.1:5080/api/push/web");
    private static readonly Uri Api = new("http://127.0.0.1:5080/ping/api");

    private readonly ManualClock _clock = new();
    private readonly FakeSender _sender;
    private readonly CliHarness _cli;
    private readonly CancellationTokenSource _stop = new();

    public AgentCommandTests()
    {
        _sender = new FakeSender(_clock);
        _cli = new CliHarness(_clock, _sender);
    }

    public void Dispose()
    {
        _stop.Dispose();
        _cli.Dispose();
        _sender.Dispose();
    }

    [Fact]
    public async Task Each_heartbeat_beats_on_its_own_schedule()
    {
        var t0 = _clock.GetUtcNow();
        HeartbeatSpec[] specs = [new("web", Web, TimeSpan.FromSeconds(60), null), new("api", Api, TimeSpan.FromSeconds(90), null)];
        var agent = AgentCommand.RunAsync(specs, _cli.Environment, _stop.Token);

        await _sender.WaitForAsync(2);
        // Expected beats so far after each 30 s step: web at 0, 60, 120, 180; api at 0, 90, 180.
        foreach (var expected in new[] { 2, 3, 4, 5, 5, 7 })
        {
            _clock.Advance(TimeSpan.FromSeconds(30));
            await _sender.WaitForAsync(expected);
        }
        await _stop.CancelAsync();
        (await agent.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(AgentCommand.Stopped);

        Seconds(Web).ShouldBe([0, 60, 120, 180]);
        Seconds(Api).ShouldBe([0, 90, 180]);
        _cli.Messages.ToString().ShouldContain("Heartbeat web: to 127.0.0.1 every 60 s.");

        double[] Seconds(Uri url) =>
            [.. _sender.Sent.Where(s => s.Request.Url.AbsolutePath == url.AbsolutePath).Select(s => (s.At - t0).TotalSeconds)];
    }

    [Fact]
    public async Task A_check_decides_up_or_down_and_the_message()
    {
        HeartbeatSpec[] specs = [new("disk", Web, TimeSpan.FromSeconds(60), new CommandCheck("echo 'disk 97% full'; exit 1", TimeSpan.FromSeconds(10)))];
        var agent = AgentCommand.RunAsync(specs, _cli.Environment, _stop.Token);

        await _sender.WaitForAsync(1);
        await _stop.CancelAsync();
        await agent.WaitAsync(TimeSpan.FromSeconds(5));

        _sender.Sent[0].Request.Url.Query.ShouldBe("?status=down&msg=exit%20status%201%3A%20disk%2097%25%20full");
        _cli.Messages.ToString().ShouldContain("Heartbeat disk: check says down: exit status 1: disk 97% full");
    }

    [Fact]
    public async Task Cancelling_stops_the_agent_with_exit_code_0()
    {
        var agent = _cli.InvokeAsync(_stop.Token, "agent", "--url", Web.ToString(), "--interval", "60");
        await _sender.WaitForAsync(1);

        await _stop.CancelAsync();

        (await agent.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0);
        _cli.Messages.ToString().ShouldContain("Stopped.");
    }

    [Fact]
    public async Task An_invalid_config_file_exits_2_naming_the_line()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lifeline-agent-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, "heartbeats:\n  - url: http://127.0.0.1/api/push/x\n    interval: soon\n");
        try
        {
            var code = await _cli.InvokeAsync("agent", "--config", file);

            code.ShouldBe(AgentCommand.InvalidConfig);
            _cli.Messages.ToString().ShouldContain($"{file}:3:15: heartbeats[0].interval: 'soon' is not a duration");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_missing_config_file_exits_2()
    {
        (await _cli.InvokeAsync("agent", "--config", "/nonexistent/lifeline.yml")).ShouldBe(AgentCommand.InvalidConfig);
        _cli.Messages.ToString().ShouldContain("cannot read the file");
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("agent", "--url", "http://127.0.0.1/api/push/x", "--config", "a.yml")]
    [InlineData("agent", "--config", "a.yml", "--interval", "10")]
    [InlineData("agent", "--url", "http://127.0.0.1/api/push/x", "--interval", "0")]
    [InlineData("agent", "--url", "http://127.0.0.1/api/push/x", "--interval", "0.5")]
    public async Task Wrong_option_combinations_exit_1(params string[] args)
    {
        (await _cli.InvokeAsync(args)).ShouldBe(AgentCommand.InvalidArguments);
        _sender.Sent.ShouldBeEmpty();
    }
}

public sealed class AgentOverHttpTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_agent_beats_against_a_real_server_until_stopped()
    {
        await using var server = await RecordingServer.StartAsync();
        using var stop = new CancellationTokenSource();

        var agent = _cli.InvokeAsync(stop.Token, "agent", "--url", server.Url("/api/push/tok123"), "--interval", "1");
        var requests = await server.WaitForAsync(2, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();

        (await agent.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0);
        requests.ShouldAllBe(r => r.Path == "/api/push/tok123" && r.Query == "?status=up");
    }

    [Fact]
    public async Task A_url_check_is_up_on_2xx_and_down_otherwise()
    {
        await using var server = await RecordingServer.StartAsync();
        server.Responder = r => r.Path == "/healthz" ? new Reply(200, "ok") : new Reply(503, """{"error":"db offline"}""");
        using var http = new HttpClient();
        var checks = new LocalChecks(http, TimeProvider.System);

        var up = await checks.RunAsync(new UrlCheck(new Uri(server.Url("/healthz")), TimeSpan.FromSeconds(5)), CancellationToken.None);
        var down = await checks.RunAsync(new UrlCheck(new Uri(server.Url("/other")), TimeSpan.FromSeconds(5)), CancellationToken.None);

        up.Up.ShouldBeTrue();
        up.Message.ShouldBe("HTTP 200");
        down.Up.ShouldBeFalse();
        down.Message.ShouldBe("HTTP 503: db offline");
    }

    [Fact]
    public async Task A_command_check_that_runs_too_long_is_down()
    {
        using var http = new HttpClient();
        var checks = new LocalChecks(http, TimeProvider.System);

        var signal = await checks.RunAsync(new CommandCheck("sleep 10", TimeSpan.FromMilliseconds(300)), CancellationToken.None);

        signal.Up.ShouldBeFalse();
        signal.Message.ShouldBe("check timed out after 0.3 s: sleep 10");
    }

    [Fact]
    public async Task A_passing_command_check_is_up_with_its_output()
    {
        using var http = new HttpClient();
        var checks = new LocalChecks(http, TimeProvider.System);

        var signal = await checks.RunAsync(new CommandCheck("echo queue=12", TimeSpan.FromSeconds(5)), CancellationToken.None);

        signal.ShouldBe(new Lifeline.Client.Push.PushSignal(true, "queue=12"));
    }
}
