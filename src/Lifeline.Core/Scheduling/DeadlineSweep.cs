namespace Lifeline.Core;

/// <summary>
/// Finds push monitors whose deadline has passed and flips them (up to late, late or up to down).
/// The store decides each flip on the monitor as it is at write time, so a ping that lands
/// between the sweep's read and its write is never overwritten.
/// </summary>
public sealed class DeadlineSweep(IMonitorStore store, TimeProvider clock, LifelineMetrics metrics, DispatchSignal dispatch, StatusWatch? watch = null)
{
    /// <summary>Most monitors handled per pass.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>One pass; returns true when a full batch was due, so more may be waiting.</summary>
    public async Task<bool> SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await store.DueAsync(MonitorKind.Push, now, BatchSize, ct);
        if (due.Count == 0)
        {
            return false;
        }
        var flips = await store.FlipAsync(due, monitor => MonitorMachine.OnDue(monitor, now), ct);
        metrics.Flipped(flips.Count(f => f.Next.Status != f.Previous));
        foreach (var flip in flips)
        {
            watch?.Saw(flip.Next);
        }
        if (flips.Any(f => f.Notice is not null))
        {
            dispatch.Wake();
        }
        return due.Count == BatchSize;
    }
}

/// <summary>
/// At start: gives monitors whose deadline passed while no server was running one fresh period,
/// so the server's own downtime never raises alerts. In a cluster only when the whole cluster was
/// away: a node that joins or rejoins running nodes forgives nothing, since they kept watching.
/// </summary>
/// <param name="cluster">This node's place in a cluster, checked in already; null for a server alone.</param>
public sealed class OutageAmnesty(IMonitorStore store, ISettingsStore settings, TimeProvider clock, ClusterCoordinator? cluster = null)
{
    /// <summary>Settings key of the last time any scheduler loop ran.</summary>
    public const string LastTickKey = "scheduler.lastTickAt";

    /// <summary>Returns how many monitors were given a fresh period.</summary>
    /// <remarks>
    /// The window is [last tick, now]: every deadline that fell while no scheduler ran, however
    /// short the gap. Every node's scheduler records its ticks under the same key, so the last tick
    /// is the cluster's.
    /// </remarks>
    public async Task<int> ApplyAsync(CancellationToken ct)
    {
        if (cluster is { OthersAlive: true })
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var text = await settings.GetAsync(LastTickKey, ct);
        if (text is null || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var lastTick) || lastTick >= now)
        {
            return 0;
        }
        var affected = await store.DueBetweenAsync(lastTick, now, ct);
        return affected.Count == 0 ? 0 : (await store.FlipAsync(affected, monitor => MonitorMachine.AfterOutage(monitor, lastTick, now), ct)).Count;
    }

    /// <summary>Records that the scheduler is alive now.</summary>
    public Task MarkTickAsync(CancellationToken ct) =>
        settings.SetAsync(LastTickKey, clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), ct);
}
