using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Lifeline.Checks.Tests.Support;

namespace Lifeline.Checks.Tests.AllAddresses;

/// <summary>
/// Monitors with allAddresses check every address their host name resolves to. The name
/// svc.test resolves (through the runner's resolver hook) to 127.0.0.1 and 127.0.0.2, where real
/// servers listen on the same port.
/// </summary>
public sealed class AllAddressesTests
{
    private static readonly IPAddress First = TwoAddressHttpServer.First;
    private static readonly IPAddress Second = TwoAddressHttpServer.Second;
    private static readonly DateTimeOffset RealNow = TimeProvider.System.GetUtcNow();

    private readonly CheckRunner _runner = new(TimeProvider.System, new CheckRunnerOptions
    {
        Resolve = Resolve,
        ValidateCertificates = false,
    });

    private static Task<IPAddress[]> Resolve(string name, CancellationToken cancellationToken) =>
        name == "svc.test"
            ? Task.FromResult<IPAddress[]>([First, Second])
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));

    private static Monitor Each(MonitorKind kind, string target, params string[] conditions) =>
        Monitors.Active(kind, target, conditions) with { AllAddresses = true, Timeout = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task An_http_check_reaches_every_address_with_the_names_host_header()
    {
        await using var server = await TwoAddressHttpServer.StartAsync();

        var outcome = await _runner.RunAsync(Each(MonitorKind.Http, $"http://svc.test:{server.Port}/health", "[STATUS] == 200"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith("all 2 addresses passed; slowest 127.0.0.");
        server.Seen.Select(s => s.Address).Order(Comparer<IPAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString())))
            .ShouldBe([First, Second]);
        server.Seen.ShouldAllBe(s => s.Host == $"svc.test:{server.Port}");
    }

    [Fact]
    public async Task One_failing_address_fails_the_check_and_is_named_with_what_it_answered()
    {
        await using var server = await TwoAddressHttpServer.StartAsync();
        server.Status[Second] = 503;

        var outcome = await _runner.RunAsync(Each(MonitorKind.Http, $"http://svc.test:{server.Port}/", "[STATUS] == 200"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("1 of 2 addresses failed: 127.0.0.2: [STATUS] (503) == 200");
        outcome.ConditionResults.Single().ShouldBe(new Lifeline.Checks.Conditions.ConditionResult("[STATUS] == 200", false, "127.0.0.2: [STATUS] (503) == 200"));
    }

    [Fact]
    public async Task A_tcp_check_fails_when_one_address_refuses_the_connection()
    {
        await using var first = new TcpTestServer(bind: new IPEndPoint(First, 0));

        var outcome = await _runner.RunAsync(Each(MonitorKind.Tcp, $"svc.test:{first.Port}"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("1 of 2 addresses failed: 127.0.0.2: [CONNECTED] (false) == true; connection refused");
        first.Accepted.ShouldBe(1);
    }

    [Fact]
    public async Task A_tcp_check_passes_when_every_address_answers()
    {
        await using var first = new TcpTestServer(bind: new IPEndPoint(First, 0));
        await using var second = new TcpTestServer(bind: new IPEndPoint(Second, first.Port));

        var outcome = await _runner.RunAsync(Each(MonitorKind.Tcp, $"svc.test:{first.Port}"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith("all 2 addresses passed; slowest 127.0.0.");
        (first.Accepted, second.Accepted).ShouldBe((1, 1));
    }

    [Fact]
    public async Task Tls_and_https_checks_connect_to_each_address_but_validate_the_certificate_for_the_name()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-10), RealNow.AddDays(365));
        using var leaf = TestCertificates.Signed(root, "svc.test", RealNow.AddDays(-1), RealNow.AddDays(30), isCa: false, dnsName: "svc.test");
        const string answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        await using var first = new TlsTestServer(leaf, [root], answer, new IPEndPoint(First, 0));
        await using var second = new TlsTestServer(leaf, [root], answer, new IPEndPoint(Second, first.Port));

        var tls = await _runner.RunAsync(Each(MonitorKind.Tls, $"svc.test:{first.Port}"), CancellationToken.None);
        var https = await _runner.RunAsync(Each(MonitorKind.Http, $"https://svc.test:{first.Port}/"), CancellationToken.None);

        tls.Ok.ShouldBeTrue(tls.Message);
        https.Ok.ShouldBeTrue(https.Message);
        // The test root is not trusted, but the name matched: SNI and validation used svc.test, not the IP.
        tls.Observation!.TlsPolicyErrors.ShouldBe(SslPolicyErrors.RemoteCertificateChainErrors);
        https.Observation!.TlsPolicyErrors.ShouldBe(SslPolicyErrors.RemoteCertificateChainErrors);
        tls.Observation.EarliestCertificateExpiry.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_fails_with_the_name()
    {
        var outcome = await _runner.RunAsync(Each(MonitorKind.Tcp, "gone.test:80"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[CONNECTED] (false) == true; gone.test: host not found");
    }

    [Fact]
    public async Task Dns_monitors_ignore_all_addresses()
    {
        await using var dns = new FakeDnsServer().Address("svc.test", "127.0.0.1");

        var outcome = await _runner.RunAsync(Each(MonitorKind.Dns, $"svc.test@{dns.EndPoint}"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith("NOERROR, 1 answer");
    }
}
