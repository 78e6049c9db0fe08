using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Lifeline.Checks.Tests.Support;
using Lifeline.Checks.Tls;
using Lifeline.Testing;

namespace Lifeline.Checks.Tests.Tls;

public class TlsCheckTests
{
    private static readonly DateTimeOffset RealNow = TimeProvider.System.GetUtcNow();

    [Fact]
    public async Task A_certificate_expiring_in_three_days_passes_48h_and_fails_14d()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-10), RealNow.AddDays(365));
        using var leaf = TestCertificates.Signed(root, "localhost", RealNow.AddDays(-1), RealNow.AddDays(3), isCa: false);
        await using var server = new TlsTestServer(leaf, [root]);
        var runner = new CheckRunner(TimeProvider.System);

        var outcome = await runner.RunAsync(
            Monitors.Active(MonitorKind.Tls, $"127.0.0.1:{server.Port}", "[CONNECTED] == true", "[CERTIFICATE_EXPIRATION] > 48h", "[CERTIFICATE_EXPIRATION] > 14d"),
            CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.ConditionResults.Select(r => r.Ok).ShouldBe([true, true, false]);
        outcome.Message.ShouldMatch(@"^\[CERTIFICATE_EXPIRATION\] \(2d23h5\dm\) > 14d$");
        outcome.Observation!.Phases.Tls.ShouldNotBeNull();
        outcome.Observation.TlsProtocol.ShouldNotBeNull();
    }

    [Fact]
    public async Task Expiry_is_measured_from_the_injected_clock()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-10), RealNow.AddDays(365));
        using var leaf = TestCertificates.Signed(root, "localhost", RealNow.AddDays(-1), RealNow.AddDays(3), isCa: false);
        await using var server = new TlsTestServer(leaf, [root]);
        var clock = new ManualClock(new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero).AddHours(-72));
        var runner = new CheckRunner(clock);

        var outcome = await runner.RunAsync(Monitors.Active(MonitorKind.Tls, $"127.0.0.1:{server.Port}", "[CERTIFICATE_EXPIRATION] == 72h"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.ConditionResults.Single().Text);
        outcome.Message.ShouldEndWith("certificate expires in 3d");
    }

    [Fact]
    public async Task An_expired_intermediate_is_the_earliest_expiry_and_the_connection_still_succeeds()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-100), RealNow.AddDays(365));
        using var intermediate = TestCertificates.Signed(root, "Expired Intermediate", RealNow.AddDays(-100), RealNow.AddDays(-2), isCa: true);
        using var leaf = TestCertificates.Signed(intermediate, "localhost", RealNow.AddDays(-1), RealNow.AddDays(60), isCa: false);
        await using var server = new TlsTestServer(leaf, [intermediate, root]);
        var probe = new TlsProbe(new TlsProbeOptions { Host = "127.0.0.1", Port = server.Port }, TimeProvider.System);

        var seen = await probe.RunAsync(CancellationToken.None);

        seen.Connected.ShouldBeTrue(seen.Error);
        seen.Certificates.Select(c => c.Subject).ShouldContain("CN=Expired Intermediate");
        seen.Certificates[0].Subject.ShouldBe("CN=localhost");
        seen.EarliestCertificateExpiry.ShouldBe(new DateTimeOffset(intermediate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        seen.TlsPolicyErrors.ShouldBe(SslPolicyErrors.RemoteCertificateChainErrors);
        var runner = new CheckRunner(TimeProvider.System);
        var outcome = await runner.RunAsync(Monitors.Active(MonitorKind.Tls, $"127.0.0.1:{server.Port}", "[CERTIFICATE_EXPIRATION] > 48h"), CancellationToken.None);
        outcome.Message.ShouldStartWith("[CERTIFICATE_EXPIRATION] (-2d");
    }

    [Fact]
    public async Task A_name_that_does_not_match_is_recorded_not_fatal()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-10), RealNow.AddDays(365));
        using var leaf = TestCertificates.Signed(root, "localhost", RealNow.AddDays(-1), RealNow.AddDays(30), isCa: false);
        await using var server = new TlsTestServer(leaf, [root]);
        var probe = new TlsProbe(new TlsProbeOptions { Host = "127.0.0.1", Port = server.Port, ServerName = "other.invalid" }, TimeProvider.System);

        var seen = await probe.RunAsync(CancellationToken.None);

        seen.Connected.ShouldBeTrue();
        seen.TlsPolicyErrors!.Value.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch).ShouldBeTrue();
    }

    [Fact]
    public async Task A_port_that_does_not_speak_tls_fails_the_handshake()
    {
        await using var plain = new TcpTestServer(_ => "hello");
        var runner = new CheckRunner(TimeProvider.System);
        var monitor = Monitors.Active(MonitorKind.Tls, $"127.0.0.1:{plain.Port}") with { Timeout = TimeSpan.FromSeconds(2) };

        var outcome = await runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldStartWith("[CONNECTED] (false) == true; ");
        outcome.Observation!.Certificates.ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_certificate_the_server_presents_is_captured_once()
    {
        using var root = TestCertificates.Root("Test Root", RealNow.AddDays(-10), RealNow.AddDays(365));
        using var intermediate = TestCertificates.Signed(root, "Intermediate", RealNow.AddDays(-10), RealNow.AddDays(200), isCa: true);
        using var leaf = TestCertificates.Signed(intermediate, "localhost", RealNow.AddDays(-1), RealNow.AddDays(90), isCa: false);
        await using var server = new TlsTestServer(leaf, new X509Certificate2Collection { intermediate, root });

        var seen = await new TlsProbe(new TlsProbeOptions { Host = "localhost", Port = server.Port }, TimeProvider.System).RunAsync(CancellationToken.None);

        // A server sends its leaf and intermediates, never the root; an untrusted root cannot be added by the client.
        seen.Certificates.Select(c => c.Subject).ShouldBe(["CN=localhost", "CN=Intermediate"]);
        seen.EarliestCertificateExpiry.ShouldBe(new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}
