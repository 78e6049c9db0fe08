using System.Security.Cryptography.X509Certificates;
using Lifeline.Checks.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Checks.Tests.Http;

public sealed class HttpCheckTests : IAsyncLifetime
{
    private RecordingServer _server = null!;
    private readonly CheckRunner _runner = new(TimeProvider.System);

    public async Task InitializeAsync() => _server = await RecordingServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_healthy_endpoint_passes_the_default_condition()
    {
        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/health")), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith("HTTP 200 in ");
        outcome.ConditionResults.Single().Text.ShouldBe("[STATUS] (200) < 400");
        outcome.Observation!.FinalUrl!.AbsolutePath.ShouldBe("/health");
    }

    [Fact]
    public async Task A_server_error_fails_with_the_status_it_answered()
    {
        _server.Responder = _ => new Reply(500, "oops");

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/"), "[STATUS] == 200"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[STATUS] (500) == 200");
    }

    [Fact]
    public async Task Body_json_health_and_header_conditions_read_the_answer()
    {
        _server.Responder = _ => new Reply(200, """{"status":"UP","data":[{"name":"db","ok":true}]}""", new Dictionary<string, string> { ["X-Version"] = "7" });
        var monitor = Monitors.Active(MonitorKind.Http, _server.Url("/actuator/health"),
            "[BODY].status == UP", "[BODY].data[0].name == db", "len([BODY].data) == 1", "[HEALTH] == pass",
            "[HEADER].x-version == 7", "[HEADER].content-type contains json", "[BODY] contains \"db\"");

        var outcome = await _runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.ConditionResults.Count.ShouldBe(7);
        outcome.ConditionResults.ShouldAllBe(r => r.Ok);
    }

    [Fact]
    public async Task Method_headers_and_body_are_sent_as_configured()
    {
        var monitor = Monitors.Active(MonitorKind.Http, _server.Url("/hook?x=1")) with
        {
            Method = "post",
            Headers = new Dictionary<string, string> { ["X-Key"] = "secret", ["Content-Type"] = "application/vnd.test+json" },
            Body = """{"ping":true}""",
        };

        await _runner.RunAsync(monitor, CancellationToken.None);

        var request = _server.Requests.Single();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/hook");
        request.Query.ShouldBe("?x=1");
        request.Body.ShouldBe("""{"ping":true}""");
        request.Headers["x-key"].ShouldBe("secret");
        request.Headers["content-type"].ShouldBe("application/vnd.test+json");
        request.Headers["host"].ShouldBe(_server.BaseUri.Authority);
        request.Headers["user-agent"].ShouldStartWith("Lifeline");
    }

    [Fact]
    public async Task Every_phase_is_timed_and_a_name_adds_a_dns_phase()
    {
        var byName = _server.Url("/").Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var byAddress = (await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/")), CancellationToken.None)).Observation!;
        var resolved = (await _runner.RunAsync(Monitors.Active(MonitorKind.Http, byName), CancellationToken.None)).Observation!;

        byAddress.Phases.Dns.ShouldBeNull();
        byAddress.Phases.Connect.ShouldNotBeNull();
        byAddress.Phases.Tls.ShouldBeNull();
        byAddress.Phases.FirstByte.ShouldNotBeNull();
        byAddress.Phases.Transfer.ShouldNotBeNull();
        byAddress.ResponseTime.ShouldBeGreaterThanOrEqualTo(byAddress.Phases.Connect!.Value + byAddress.Phases.FirstByte!.Value);
        byAddress.Addresses.ShouldContain(System.Net.IPAddress.Loopback);
        resolved.Phases.Dns.ShouldNotBeNull();
        resolved.StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task Each_check_opens_its_own_connection()
    {
        await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/")), CancellationToken.None);
        var second = (await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/")), CancellationToken.None)).Observation!;

        second.Phases.Connect.ShouldNotBeNull();
    }

    [Fact]
    public async Task Redirects_are_followed_and_counted()
    {
        _server.Responder = request => request.Path switch
        {
            "/a" => new Reply(302, "", new Dictionary<string, string> { ["Location"] = "/b" }),
            "/b" => new Reply(301, "", new Dictionary<string, string> { ["Location"] = _server.Url("/c") }),
            _ => new Reply(200, "landed"),
        };

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/a"), "[STATUS] == 200", "[BODY] == landed"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.Redirects.ShouldBe(2);
        outcome.Observation.FinalUrl!.AbsolutePath.ShouldBe("/c");
        _server.Requests.Select(r => r.Path).ShouldBe(["/a", "/b", "/c"]);
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_ten_and_fails()
    {
        _server.Responder = _ => new Reply(302, "", new Dictionary<string, string> { ["Location"] = "/again" });

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/")), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldContain("too many redirects");
        _server.Requests.Count.ShouldBe(11);
    }

    [Fact]
    public async Task A_see_other_redirect_turns_a_post_into_a_get_without_body()
    {
        _server.Responder = request => request.Path == "/form"
            ? new Reply(303, "", new Dictionary<string, string> { ["Location"] = "/done" })
            : new Reply(200);
        var monitor = Monitors.Active(MonitorKind.Http, _server.Url("/form")) with { Method = "POST", Body = "a=1" };

        await _runner.RunAsync(monitor, CancellationToken.None);

        _server.Requests.Select(r => (r.Method, r.Body)).ShouldBe([("POST", "a=1"), ("GET", "")]);
    }

    [Fact]
    public async Task A_large_body_is_cut_at_the_limit()
    {
        _server.Responder = _ => new Reply(200, new string('x', 100_000), ContentType: "text/plain");
        var runner = new CheckRunner(TimeProvider.System, new CheckRunnerOptions { BodyLimit = 1024 });

        var outcome = await runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/big"), "len([BODY]) == 1024"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.BodyTruncated.ShouldBeTrue();
    }

    [Fact]
    public async Task A_slow_response_time_fails_the_response_time_condition()
    {
        _server.Responder = _ =>
        {
            Thread.Sleep(300); // a real slow target: the delay is the thing being measured
            return new Reply(200);
        };

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, _server.Url("/"), "[RESPONSE_TIME] < 200", "[FIRST_BYTE_TIME] >= 250ms"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.ConditionResults[0].Ok.ShouldBeFalse();
        outcome.ConditionResults[1].Ok.ShouldBeTrue(outcome.ConditionResults[1].Text);
        outcome.Message.ShouldStartWith("[RESPONSE_TIME] (");
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        await using var silent = new TcpTestServer();
        // Long enough that a crowded machine still connects to loopback before the time is up.
        var monitor = Monitors.Active(MonitorKind.Http, $"http://127.0.0.1:{silent.Port}/") with { Timeout = TimeSpan.FromMilliseconds(1500) };

        var outcome = await _runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe($"[STATUS] (n/a) < 400; {ProbeErrors.TimedOut(TimeSpan.FromMilliseconds(1500))}");
        outcome.Observation!.Connected.ShouldBeTrue();
    }

    [Fact]
    public async Task A_refused_connection_becomes_a_failed_outcome()
    {
        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, $"http://127.0.0.1:{TcpTestServer.ClosedPort()}/"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[STATUS] (n/a) < 400; connection refused");
        outcome.Observation!.Connected.ShouldBeFalse();
    }

    [Fact]
    public async Task Cancelling_the_caller_token_is_not_reported_as_a_failure()
    {
        await using var silent = new TcpTestServer();
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() =>
            _runner.RunAsync(Monitors.Active(MonitorKind.Http, $"http://127.0.0.1:{silent.Port}/"), shutdown.Token));
    }

    [Fact]
    public async Task An_https_target_with_an_untrusted_certificate_fails_by_default()
    {
        await using var tls = HttpsServer(out _);

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Http, $"https://127.0.0.1:{tls.Port}/"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldContain("TLS certificate not valid: RemoteCertificateChainErrors");
        outcome.Observation!.Phases.Tls.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_https_target_reports_tls_time_and_certificate_expiry_when_validation_is_off()
    {
        await using var tls = HttpsServer(out var leaf);
        var runner = new CheckRunner(TimeProvider.System, new CheckRunnerOptions { ValidateCertificates = false });
        var monitor = Monitors.Active(MonitorKind.Http, $"https://127.0.0.1:{tls.Port}/secure",
            "[STATUS] == 200", "[BODY] == secure", "[CERTIFICATE_EXPIRATION] > 48h", "[CERTIFICATE_EXPIRATION] < 4d", "[CERTIFICATE_VALID] == false");

        var outcome = await runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.Phases.Tls.ShouldNotBeNull();
        outcome.Observation.Certificates[0].Thumbprint.ShouldBe(leaf.Thumbprint);
    }

    private static TlsTestServer HttpsServer(out X509Certificate2 leaf)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var root = TestCertificates.Root("Lifeline Test Root", now.AddDays(-1), now.AddDays(30));
        leaf = TestCertificates.Signed(root, "localhost", now.AddDays(-1), now.AddDays(3), isCa: false);
        return new TlsTestServer(leaf, [], "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure");
    }
}
