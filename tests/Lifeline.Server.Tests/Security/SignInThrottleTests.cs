using Lifeline.Server.Security;
using Lifeline.Testing;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Tests.Security;

/// <summary>The sign-in failure limit, on the manual clock.</summary>
public sealed class SignInThrottleTests
{
    private readonly ManualClock _clock = new();

    private SignInThrottle Throttle(int failures = 5, int windowSeconds = 900) =>
        new(_clock, Options.Create(new LifelineOptions { SignInFailures = failures, SignInWindowSeconds = windowSeconds }));

    [Fact]
    public void One_address_trying_many_usernames_is_stopped_after_the_limit()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.RetryAfter("10.0.0.1", $"user{i}").ShouldBeNull();
            throttle.Failed("10.0.0.1", $"user{i}");
        }

        throttle.RetryAfter("10.0.0.1", "someone-else").ShouldBe(TimeSpan.FromMinutes(15));
        throttle.RetryAfter("10.0.0.2", "someone-else").ShouldBeNull();
    }

    [Fact]
    public void Many_addresses_trying_one_username_are_stopped_after_the_limit_whatever_its_case()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.Failed($"10.0.0.{i}", i % 2 == 0 ? "admin" : "ADMIN");
        }

        throttle.RetryAfter("10.0.0.99", "Admin").ShouldNotBeNull();
        throttle.RetryAfter("10.0.0.99", "bob").ShouldBeNull();
    }

    [Fact]
    public void Each_failure_counts_only_within_the_window()
    {
        var throttle = Throttle(failures: 3, windowSeconds: 60);
        throttle.Failed("a", "u");
        _clock.Advance(TimeSpan.FromSeconds(40));
        throttle.Failed("a", "u");
        throttle.Failed("a", "u");

        throttle.RetryAfter("a", "u").ShouldBe(TimeSpan.FromSeconds(20));
        _clock.Advance(TimeSpan.FromSeconds(20));
        throttle.RetryAfter("a", "u").ShouldBeNull();
    }

    [Fact]
    public void A_success_clears_the_count_and_zero_turns_the_limit_off()
    {
        var throttle = Throttle(failures: 2);
        throttle.Failed("a", "u");
        throttle.Succeeded("a", "u");
        throttle.Failed("a", "u");
        throttle.RetryAfter("a", "u").ShouldBeNull();

        var off = Throttle(failures: 0);
        for (var i = 0; i < 50; i++)
        {
            off.Failed("a", "u");
        }
        off.RetryAfter("a", "u").ShouldBeNull();
    }
}
