namespace Lifeline.Core;

/// <summary>Process-wide counters for /metrics. Thread-safe.</summary>
public sealed class LifelineMetrics
{
    private long _signalsAccepted;
    private long _signalsRejected;
    private long _flips;
    private long _noticesSent;
    private long _noticesFailed;

    public long SignalsAccepted => Interlocked.Read(ref _signalsAccepted);
    public long SignalsRejected => Interlocked.Read(ref _signalsRejected);
    public long Flips => Interlocked.Read(ref _flips);
    public long NoticesSent => Interlocked.Read(ref _noticesSent);
    public long NoticesFailed => Interlocked.Read(ref _noticesFailed);

    public void SignalAccepted() => Interlocked.Increment(ref _signalsAccepted);
    public void SignalRejected() => Interlocked.Increment(ref _signalsRejected);
    public void Flipped(int count) => Interlocked.Add(ref _flips, count);
    public void NoticeSent(int count = 1) => Interlocked.Add(ref _noticesSent, count);
    public void NoticeFailed(int count = 1) => Interlocked.Add(ref _noticesFailed, count);
}

/// <summary>Liveness of the scheduler loop, read by /healthz and /api/v1/status.</summary>
public sealed class SchedulerPulse(TimeProvider clock)
{
    private long _lastTickTicks;

    /// <summary>The loop is considered stalled when it has not ticked for this long [15 s].</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(15);

    public DateTimeOffset? LastTickAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastTickTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Tick() => Interlocked.Exchange(ref _lastTickTicks, clock.GetUtcNow().UtcTicks);

    public bool IsAlive => LastTickAt is { } last && clock.GetUtcNow() - last < StallAfter;
}
