namespace Lifeline.Core;

/// <summary>
/// Wakes the outbox dispatcher as soon as a notice is planned, so alerts do not wait for its next
/// poll. Wakes coalesce: many signals before the dispatcher looks count as one.
/// </summary>
public sealed class DispatchSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake: one pending wake is enough.
        }
    }

    /// <summary>Waits for a wake or the timeout; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

/// <summary>The entry of every signal: records it durably, counts it, and wakes the dispatcher when it planned a notice.</summary>
public sealed class Ingestor(IMonitorStore store, LifelineMetrics metrics, DispatchSignal dispatch)
{
    public async Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, CancellationToken ct)
    {
        var result = await store.RecordAsync(address, signal, ct);
        if (result.Outcome == SignalOutcome.NotFound)
        {
            metrics.SignalRejected();
            return result;
        }
        metrics.SignalAccepted();
        if (result.PlannedNotice)
        {
            dispatch.Wake();
        }
        return result;
    }
}
