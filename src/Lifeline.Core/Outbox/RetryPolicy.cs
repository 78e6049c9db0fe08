namespace Lifeline.Core;

/// <summary>Capped exponential backoff for notice delivery. Durations, defaults in brackets.</summary>
public sealed record RetryPolicy
{
    /// <summary>Delay after the first failure [5 s]; doubles each attempt.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Longest delay between attempts [10 min].</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Longest wait honoured from a receiver's Retry-After [1 h].</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);
    /// <summary>A notice older than this is given up [1 day].</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>When to try again after failed attempt number <paramref name="attempt"/> (1-based); null to give up.</summary>
    public DateTimeOffset? NextAttempt(int attempt, DateTimeOffset createdAt, DateTimeOffset now, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(attempt - 1, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << exponent)));
        if (retryAfter is { } asked && asked > backoff)
        {
            backoff = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }
        var at = now + backoff;
        return at - createdAt > MaxAge ? null : at;
    }
}
