using Lifeline.Checks.Rdap;
using Lifeline.Checks.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Checks.Tests.Rdap;

public sealed class DomainExpirationTests : IAsyncLifetime
{
    private readonly FakeDnsServer _dns = new FakeDnsServer()
        .Address("www.app.test", "127.0.0.5")
        .Address("soon.test", "127.0.0.6");

    private FakeRdapServer _rdap = null!;

    public async Task InitializeAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        _rdap = (await FakeRdapServer.StartAsync("test"))
            .Domain("app.test", now.AddDays(90))
            .Domain("soon.test", now.AddDays(10));
    }

    public async Task DisposeAsync()
    {
        await _rdap.DisposeAsync();
        await _dns.DisposeAsync();
    }

    private DomainExpiryLookup Lookup(TimeProvider clock) => new(new RdapOptions { BootstrapUrl = _rdap.BootstrapUrl }, clock);

    private Monitor Dns(string name, params string[] conditions) =>
        Monitors.Active(MonitorKind.Dns, $"{name}@{_dns.EndPoint}", conditions) with { Method = "A" };

    [Fact]
    public async Task A_domain_far_from_expiry_passes_and_its_registry_is_found_through_the_bootstrap()
    {
        using var lookup = Lookup(TimeProvider.System);
        var runner = new CheckRunner(TimeProvider.System, domains: lookup);

        var outcome = await runner.RunAsync(Dns("www.app.test", "[DOMAIN_EXPIRATION] > 720h"), CancellationToken.None);

        outcome.Ok.ShouldBeTrue(outcome.Message);
        // The host name is unknown to the registry; the domain above it is.
        _rdap.Lookups.ShouldBe(["www.app.test", "app.test"]);
        outcome.Observation!.DomainExpiresAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_domain_close_to_expiry_fails_showing_the_time_left()
    {
        using var lookup = Lookup(TimeProvider.System);
        var runner = new CheckRunner(TimeProvider.System, domains: lookup);

        var outcome = await runner.RunAsync(Dns("soon.test", "[DOMAIN_EXPIRATION] > 720h"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldStartWith("[DOMAIN_EXPIRATION] (9d");
        outcome.Message.ShouldEndWith(") > 720h");
    }

    [Fact]
    public async Task Answers_are_cached_until_the_cache_time_runs_out()
    {
        var clock = new ManualClock(TimeProvider.System.GetUtcNow());
        using var lookup = Lookup(clock);

        (await lookup.FindAsync("app.test", CancellationToken.None)).ExpiresAt.ShouldNotBeNull();
        (await lookup.FindAsync("APP.test.", CancellationToken.None)).ExpiresAt.ShouldNotBeNull();
        clock.Advance(TimeSpan.FromHours(23));
        await lookup.FindAsync("app.test", CancellationToken.None);
        _rdap.Lookups.Count.ShouldBe(1);
        _rdap.BootstrapReads.ShouldBe(1);

        clock.Advance(TimeSpan.FromHours(2));
        await lookup.FindAsync("app.test", CancellationToken.None);

        _rdap.Lookups.Count.ShouldBe(2);
        _rdap.BootstrapReads.ShouldBe(2);
    }

    [Fact]
    public async Task A_registry_that_fails_keeps_the_last_good_date_and_is_asked_again_after_a_pause()
    {
        var clock = new ManualClock(TimeProvider.System.GetUtcNow());
        using var lookup = Lookup(clock);
        var good = await lookup.FindAsync("app.test", CancellationToken.None);
        _rdap.FailWith = 503;
        clock.Advance(TimeSpan.FromHours(25));

        var during = await lookup.FindAsync("app.test", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await lookup.FindAsync("app.test", CancellationToken.None);

        during.ShouldBe(good);
        _rdap.Lookups.Count.ShouldBe(2);

        clock.Advance(TimeSpan.FromMinutes(5));
        _rdap.FailWith = null;
        await lookup.FindAsync("app.test", CancellationToken.None);
        _rdap.Lookups.Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_failed_lookup_fails_the_condition_and_says_why()
    {
        _rdap.FailWith = 503;
        using var lookup = Lookup(TimeProvider.System);
        var runner = new CheckRunner(TimeProvider.System, domains: lookup);

        var outcome = await runner.RunAsync(Dns("www.app.test", "[DOMAIN_EXPIRATION] > 720h"), CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldBe("[DOMAIN_EXPIRATION] (n/a) > 720h; the RDAP server 127.0.0.1 answered 503 about www.app.test");
    }

    [Theory]
    [InlineData("127.0.0.1", "IP address")]
    [InlineData("localhost", "not a registered domain name")]
    [InlineData("app.nowhere", "no RDAP server is known")]
    public async Task Names_without_a_registry_are_answered_without_asking_one(string host, string reason)
    {
        using var lookup = Lookup(TimeProvider.System);

        var answer = await lookup.FindAsync(host, CancellationToken.None);

        answer.ExpiresAt.ShouldBeNull();
        answer.Error.ShouldNotBeNull().ShouldContain(reason);
        _rdap.Lookups.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_fixed_rdap_server_skips_the_bootstrap()
    {
        using var lookup = new DomainExpiryLookup(new RdapOptions { BootstrapUrl = new Uri("http://127.0.0.1:9/none"), BaseUrl = _rdap.BaseUrl }, TimeProvider.System);

        var answer = await lookup.FindAsync("www.app.test", CancellationToken.None);

        answer.Domain.ShouldBe("app.test");
        answer.ExpiresAt.ShouldNotBeNull();
        _rdap.BootstrapReads.ShouldBe(0);
    }
}
