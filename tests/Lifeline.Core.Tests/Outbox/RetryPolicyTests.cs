namespace Lifeline.Core.Tests.Outbox;

public class RetryPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly RetryPolicy _policy = new();

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 320)]
    [InlineData(8, 600)]
    [InlineData(30, 600)]
    public void The_delay_doubles_from_five_seconds_up_to_ten_minutes(int attempt, int seconds)
    {
        _policy.NextAttempt(attempt, T0, T0, null).ShouldBe(T0.AddSeconds(seconds));
    }

    [Fact]
    public void A_longer_retry_after_from_the_receiver_is_honoured()
    {
        _policy.NextAttempt(1, T0, T0, TimeSpan.FromSeconds(90)).ShouldBe(T0.AddSeconds(90));
    }

    [Fact]
    public void A_retry_after_is_capped_at_one_hour()
    {
        _policy.NextAttempt(1, T0, T0, TimeSpan.FromDays(2)).ShouldBe(T0.AddHours(1));
    }

    [Fact]
    public void A_notice_older_than_a_day_is_given_up()
    {
        _policy.NextAttempt(50, T0, T0.AddHours(23).AddMinutes(55), null).ShouldBeNull();
        _policy.NextAttempt(50, T0, T0.AddHours(23), null).ShouldNotBeNull();
    }
}
