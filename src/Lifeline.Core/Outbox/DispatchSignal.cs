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
public sealed class Ingestor(IMonitorStore store, LifelineMetrics metrics, DispatchSignal dispatch, StatusWatch? watch = null)
{
    public Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, CancellationToken ct) =>
        RecordAsync(address, signal, countMiss: true, ct);

    /// <summary>
    /// Records a signal only when its monitor exists, creating none, and does not count a miss as a
    /// rejected signal: the caller may go on to create the monitor (after checking it may).
    /// </summary>
    public Task<SignalResult> RecordIfFoundAsync(SignalAddress address, Signal signal, CancellationToken ct) =>
        RecordAsync(address with { CreateIfMissing = null }, signal, countMiss: false, ct);

    private async Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, bool countMiss, CancellationToken ct)
    {
        var result = await store.RecordAsync(address, signal, ct);
        if (result.Outcome == SignalOutcome.NotFound)
        {
            if (countMiss)
            {
                metrics.SignalRejected();
            }
            return result;
        }
        metrics.SignalAccepted();
        if (result.Monitor is { } monitor)
        {
            watch?.Saw(monitor);
        }
        if (result.PlannedNotice)
        {
            dispatch.Wake();
        }
        return result;
    }
}
