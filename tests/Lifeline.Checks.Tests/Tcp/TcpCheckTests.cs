using Lifeline.Checks.Tcp;
using Lifeline.Checks.Tests.Support;

namespace Lifeline.Checks.Tests.Tcp;

public class TcpCheckTests
{
    private readonly CheckRunner _runner = new(TimeProvider.System);

    [Fact]
    public async Task A_listening_port_passes_the_default_condition()
    {
        await using var server = new TcpTestServer();

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Tcp, $"127.0.0.1:{server.Port}"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith($"connected to 127.0.0.1:{server.Port} in ");
        outcome.Observation!.Phases.Connect.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_closed_port_fails_with_connected_false()
    {
        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Tcp, $"127.0.0.1:{TcpTestServer.ClosedPort()}"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[CONNECTED] (false) == true; connection refused");
    }

    [Fact]
    public async Task A_host_name_is_resolved_and_its_addresses_reported()
    {
        await using var server = new TcpTestServer();

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Tcp, $"localhost:{server.Port}", "[CONNECTED] == true", "[IP] == 127.0.0.1"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.Phases.Dns.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_sent_line_gets_its_reply_checked()
    {
        await using var server = new TcpTestServer(line => line == "PING" ? "+PONG" : "-ERR");
        var monitor = Monitors.Active(MonitorKind.Tcp, $"127.0.0.1:{server.Port}", "[BODY] == +PONG", "[BODY] matches \"^\\+PO\"") with { Body = "PING" };

        var outcome = await _runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.Phases.FirstByte.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_wrong_reply_fails_with_the_reply_seen()
    {
        await using var server = new TcpTestServer(_ => "-ERR unknown");
        var monitor = Monitors.Active(MonitorKind.Tcp, $"127.0.0.1:{server.Port}", "[BODY] == +PONG") with { Body = "PING\n" };

        var outcome = await _runner.RunAsync(monitor, CancellationToken.None);

        outcome.Message.ShouldBe("[BODY] (-ERR unknown) == +PONG");
    }

    [Fact]
    public async Task A_service_that_never_replies_fails_after_the_timeout()
    {
        await using var server = new TcpTestServer();
        var probe = new TcpProbe(new TcpProbeOptions { Host = "127.0.0.1", Port = server.Port, Send = "PING", Timeout = TimeSpan.FromMilliseconds(300) }, TimeProvider.System);

        var seen = await probe.RunAsync(CancellationToken.None);

        seen.Connected.ShouldBeTrue();
        seen.Error.ShouldBe("no reply within 300ms");
        seen.Body.ShouldBeNull();
    }
}
