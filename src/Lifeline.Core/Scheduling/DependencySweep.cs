namespace Lifeline.Core;

/// <summary>
/// Decides the held down notices (see <see cref="Dependencies"/>): a monitor awaiting its parents is
/// held for the first that turned troubled, or released once all have been heard from since it
/// went down or <see cref="Wait"/> is over; a monitor held for a parent is released once no parent
/// is troubled. The store re-reads each monitor under its lock and settles the release again, so
/// with several servers a held notice goes out once, and a parent troubled again meanwhile keeps it held.
/// </summary>
public sealed class DependencySweep(IMonitorStore store, IDependencyStore dependencies, TimeProvider clock, DispatchSignal dispatch)
{
    /// <summary>Most held monitors looked at per pass.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How long at most a monitor that went down while its parents looked healthy waits for them to be heard from [60 s].</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One pass; returns how many held monitors it tried to release or hold for a parent.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var held = await dependencies.HeldAsync(BatchSize, ct);
        if (held.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var parents = new Dictionary<string, Monitor?>(StringComparer.Ordinal);
        var free = new List<Monitor>();
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var monitor in held)
        {
            Monitor? troubled = null;
            var allHeard = true;
            foreach (var id in monitor.DependsOn)
            {
                if (!parents.TryGetValue(id, out var parent))
                {
                    parents[id] = parent = await store.FindAsync(id, ct);
                }
                if (parent is null)
                {
                    continue;
                }
                troubled ??= Dependencies.IsTroubled(parent) ? parent : null;
                allHeard &= parent.LastSignalAt > monitor.LastAlertAt;
            }
            if (!Dependencies.IsAwaitingParents(monitor))
            {
                if (troubled is null)
                {
                    free.Add(monitor);
                }
            }
            else if (troubled is not null)
            {
                holders[monitor.Id] = troubled.Name;
                free.Add(monitor);
            }
            else if (allHeard || monitor.LastAlertAt is not { } downAt || now >= downAt + Wait)
            {
                // Why it went down is its incident's reason.
                if ((await store.IncidentsAsync(monitor.Id, 1, ct)) is [{ EndedAt: null } incident])
                {
                    reasons[monitor.Id] = incident.Reason;
                }
                free.Add(monitor);
            }
        }
        if (free.Count == 0)
        {
            return 0;
        }
        var flips = await store.FlipAsync(free, m => Dependencies.IsAwaitingParents(m) && holders.TryGetValue(m.Id, out var parent)
            ? Dependencies.Suppress(m, parent)
            : Dependencies.Release(m, now, reasons.GetValueOrDefault(m.Id)), ct);
        if (flips.Count > 0)
        {
            dispatch.Wake();
        }
        return flips.Count;
    }
}
