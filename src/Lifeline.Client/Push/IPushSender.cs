namespace Lifeline.Client.Push;

/// <summary>Sends one push request, retrying transient failures within a window.</summary>
public interface IPushSender
{
    /// <summary>
    /// Sends <paramref name="request"/> until the server acknowledges it, rejects it with a 4xx,
    /// or <paramref name="retryFor"/> has passed. Never throws for HTTP or network failures;
    /// throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task<PushResult> SendAsync(PushRequest request, TimeSpan retryFor, CancellationToken cancellationToken);
}
