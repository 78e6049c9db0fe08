namespace Lifeline.Client.Push;

/// <summary>How <see cref="PushSender"/> retries: capped exponential backoff with jitter.</summary>
public sealed record PushRetryOptions
{
    /// <summary>The whole retry window when the caller gives none. Default 30 seconds.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait between attempts, doubled after each failure. Default 1 second.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts. Default 30 seconds.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request may take before it counts as failed. Default 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
