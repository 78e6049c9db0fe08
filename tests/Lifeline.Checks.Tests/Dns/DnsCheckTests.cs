using System.Net;
using Lifeline.Checks.Dns;
using Lifeline.Checks.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Checks.Tests.Dns;

public sealed class DnsCheckTests : IAsyncLifetime
{
    private readonly FakeDnsServer _dns = new FakeDnsServer()
        .Address("app.test", "127.0.0.5")
        .Address("app.test", "10.0.0.1")
        .Address("app.test", "::1")
        .Alias("www.test", "edge.app.test")
        .Address("edge.app.test", "127.0.0.9");

    private readonly CheckRunner _runner = new(TimeProvider.System);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    private Monitor Dns(string name, params string[] conditions) =>
        Monitors.Active(MonitorKind.Dns, $"{name}@{_dns.EndPoint}", conditions);

    [Fact]
    public async Task Every_address_is_reported_with_the_response_code()
    {
        var outcome = await _runner.RunAsync(Dns("app.test"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Message.ShouldStartWith("NOERROR, 3 answers in ");
        outcome.Observation!.Addresses.Select(a => a.ToString()).ShouldBe(["127.0.0.5", "10.0.0.1", "::1"], ignoreOrder: true);
        outcome.Observation.Phases.Dns.ShouldNotBeNull();
        outcome.Observation.Nameserver.ShouldBe(_dns.EndPoint);
    }

    [Fact]
    public async Task Ip_matches_any_address_and_all_requires_every_one()
    {
        var outcome = await _runner.RunAsync(Dns("app.test", "[IP] == 10.0.0.1", "all([IP]) == 10.0.0.1", "len([IP]) == 3"), CancellationToken.None);

        outcome.ConditionResults.Select(r => r.Ok).ShouldBe([true, false, true]);
        outcome.Message.ShouldStartWith("all([IP]) (");
    }

    [Fact]
    public async Task A_missing_name_fails_with_nxdomain()
    {
        var outcome = await _runner.RunAsync(Dns("nope.test"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[DNS_RCODE] (NXDOMAIN) == NOERROR");
        outcome.Observation!.Error.ShouldBeNull();
    }

    [Fact]
    public async Task An_expected_nxdomain_passes()
    {
        var outcome = await _runner.RunAsync(Dns("nope.test", "[DNS_RCODE] == NXDOMAIN", "len([IP]) == 0"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
    }

    [Fact]
    public async Task A_server_failure_is_reported_by_name()
    {
        var outcome = await _runner.RunAsync(Dns("servfail.test"), CancellationToken.None);

        outcome.Message.ShouldBe("[DNS_RCODE] (SERVFAIL) == NOERROR");
    }

    [Fact]
    public async Task A_cname_is_followed_through_compressed_names()
    {
        var outcome = await _runner.RunAsync(Dns("www.test", "[IP] == 127.0.0.9", "[BODY] == edge.app.test.") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.DnsAnswers.Select(a => a.ToString()).ShouldBe(["www.test. CNAME edge.app.test.", "edge.app.test. A 127.0.0.9"]);
        outcome.Observation.DnsAnswers[0].Ttl.ShouldBe(TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Only_the_asked_record_types_are_queried()
    {
        var outcome = await _runner.RunAsync(Dns("app.test") with { Method = "AAAA" }, CancellationToken.None);

        outcome.Observation!.Addresses.ShouldBe([IPAddress.IPv6Loopback]);
        _dns.Queries.ShouldBe(1);
    }

    [Fact]
    public async Task A_truncated_udp_answer_is_asked_again_over_tcp_and_every_record_counts()
    {
        await using var dns = ManyAddresses(new FakeDnsServer(), "many.test", 100);

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Dns, $"many.test@{dns.EndPoint}", "[DNS_RCODE] == NOERROR", "len([IP]) == 100") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Observation!.DnsAnswers.Count.ShouldBe(100);
        outcome.Observation.Body!.Split('\n').Length.ShouldBe(100);
        dns.TcpQueries.ShouldBe(1);
    }

    [Fact]
    public async Task A_truncated_answer_fails_when_tcp_is_refused_instead_of_passing_with_what_fit()
    {
        await using var dns = ManyAddresses(new FakeDnsServer(tcp: false), "many.test", 100);

        var outcome = await _runner.RunAsync(Monitors.Active(MonitorKind.Dns, $"many.test@{dns.EndPoint}") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Observation!.DnsRcode.ShouldBeNull();
        outcome.Observation.DnsAnswers.ShouldBeEmpty();
        outcome.Observation.Error.ShouldBe("connection refused");
        outcome.Message.ShouldBe("[DNS_RCODE] (n/a) == NOERROR; connection refused");
    }

    [Fact]
    public async Task Queries_carry_an_edns0_opt_record_offering_1232_bytes()
    {
        var outcome = await _runner.RunAsync(Dns("app.test"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        _dns.EdnsSizes.Count.ShouldBe(2);
        _dns.EdnsSizes.ShouldAllBe(size => size == 1232);
    }

    public static TheoryData<string, int, byte[], string, string> Records => new()
    {
        { "MX", 15, [0, 10, .. FakeDnsServer.Name("mail.app.test")], "10 mail.app.test.", "mail.app.test." },
        { "TXT", 16, [2, (byte)'h', (byte)'i', 2, (byte)'!', (byte)'!'], "hi!!", "hi!!" },
        { "NS", 2, FakeDnsServer.Name("ns1.app.test"), "ns1.app.test.", "ns1.app.test." },
        { "PTR", 12, FakeDnsServer.Name("app.test"), "app.test.", "app.test." },
        { "SRV", 33, [0, 1, 0, 5, 0x1F, 0x90, .. FakeDnsServer.Name("svc.app.test")], "1 5 8080 svc.app.test.", "svc.app.test.:8080" },
        { "SOA", 6, [.. FakeDnsServer.Name("ns1.app.test"), .. FakeDnsServer.Name("admin.app.test"), 0x78, 0xA3, 0xF1, 0x75, 0, 0, 0x1C, 0x20, 0, 0, 0x0E, 0x10, 0, 0x12, 0x75, 0, 0, 0, 1, 0x2C],
            "ns1.app.test. admin.app.test. 2024010101 7200 3600 1209600 300", "ns1.app.test. admin.app.test. 2024010101 7200 3600 1209600 300" },
        { "CAA", 257, [0, 5, .. "issue"u8.ToArray(), .. "letsencrypt.org"u8.ToArray()], "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public async Task Each_record_type_is_asked_for_and_decoded_and_its_bare_answer_is_the_body(string type, int code, byte[] data, string expected, string bare)
    {
        _dns.Record("rr.test", code, data);

        var outcome = await _runner.RunAsync(Dns("rr.test", "[DNS_RCODE] == NOERROR", $"[BODY] == \"{bare.Replace("\"", "\\\"", StringComparison.Ordinal)}\"") with { Method = type }, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        var answer = outcome.Observation!.DnsAnswers.ShouldHaveSingleItem();
        answer.ShouldBe(new DnsAnswer("rr.test.", type, TimeSpan.FromHours(1), expected) { Value = bare });
        outcome.Observation.Body.ShouldBe(bare);
    }

    [Fact]
    public async Task Gatus_readme_dns_example_passes()
    {
        _dns.Address("example.org", "93.184.216.34");

        var outcome = await _runner.RunAsync(Dns("example.org", "[BODY] == 93.184.216.34", "[DNS_RCODE] == NOERROR") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
    }

    [Fact]
    public async Task A_compression_loop_in_an_answer_is_an_error_not_a_hang()
    {
        // The answer's owner name (just after the 27-byte header and question) points at itself.
        _dns.Address("loop.test", "127.0.0.1").Mangle("loop.test", answer => [.. answer[..27], 0xC0, 27, .. answer[29..]]);

        var outcome = await _runner.RunAsync(Dns("loop.test") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Observation!.DnsRcode.ShouldBeNull();
        outcome.Observation.Error.ShouldBe($"malformed answer from {_dns.EndPoint}");
    }

    [Fact]
    public async Task An_answer_cut_short_without_the_tc_bit_is_an_error()
    {
        _dns.Address("cut.test", "127.0.0.1").Mangle("cut.test", answer => answer[..^2]);

        var outcome = await _runner.RunAsync(Dns("cut.test") with { Method = "A" }, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Observation!.DnsRcode.ShouldBeNull();
        outcome.Observation.Error.ShouldBe($"malformed answer from {_dns.EndPoint}");
    }

    private static FakeDnsServer ManyAddresses(FakeDnsServer dns, string name, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            dns.Address(name, $"10.0.{i / 256}.{i % 256}");
        }
        return dns;
    }

    [Fact]
    public async Task A_silent_nameserver_is_asked_again_until_the_check_times_out_on_its_own_clock()
    {
        var clock = new ManualClock();
        var probe = new DnsProbe(new DnsProbeOptions
        {
            Name = "silent.test",
            Nameserver = _dns.EndPoint,
            Types = [DnsRecordType.A],
            Timeout = TimeSpan.FromSeconds(10),
            ResendAfter = TimeSpan.FromMilliseconds(100),
        }, clock);

        var running = probe.RunAsync(CancellationToken.None);
        // DnsClient resends on the real clock after each ResendAfter; the check's own limit is the
        // only timer on the check's clock, and the library's tries would last past it (~10 s).
        await Eventually.GetAsync(() => Task.FromResult((_dns.Queries >= 3, clock.ArmedTimers)), s => s == (true, 1));
        running.IsCompleted.ShouldBeFalse();
        clock.Advance(TimeSpan.FromSeconds(10));
        var seen = await running.WaitAsync(TimeSpan.FromSeconds(5));

        seen.Connected.ShouldBeFalse();
        seen.DnsRcode.ShouldBeNull();
        seen.Error.ShouldBe($"no answer from {_dns.EndPoint} within 10s");
    }

    [Fact]
    public async Task Cancelling_the_check_itself_throws_rather_than_reporting_a_failure()
    {
        using var stop = new CancellationTokenSource();
        var probe = new DnsProbe(new DnsProbeOptions { Name = "silent.test", Nameserver = _dns.EndPoint, Types = [DnsRecordType.A] }, TimeProvider.System);

        var running = probe.RunAsync(stop.Token);
        await Eventually.GetAsync(() => Task.FromResult(_dns.Queries), q => q >= 1);
        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task The_runner_default_nameserver_is_used_when_the_target_names_none()
    {
        var runner = new CheckRunner(TimeProvider.System, new CheckRunnerOptions { Nameserver = _dns.EndPoint });

        var outcome = await runner.RunAsync(Monitors.Active(MonitorKind.Dns, "app.test", "[IP] == 127.0.0.5"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
    }

    [Fact]
    public async Task The_nameserver_comes_from_resolv_conf_by_default()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, $"# test\nsearch example\nnameserver {_dns.EndPoint.Address}\nnameserver 127.0.0.2\n");
            ResolvConf.FirstNameserver(path).ShouldBe(new IPEndPoint(_dns.EndPoint.Address, 53));
            ResolvConf.FirstNameserver(path + ".missing").ShouldBeNull();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
