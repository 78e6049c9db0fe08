namespace Lifeline.Core;

/// <summary>
/// Sends the held down notices of monitors whose parents are no longer troubled (see
/// <see cref="Dependencies"/>). The store re-reads each monitor under its lock and settles the
/// release again, so with several servers a held notice goes out once, and a parent troubled again
/// meanwhile keeps it held.
/// </summary>
public sealed class DependencySweep(IMonitorStore store, IDependencyStore dependencies, TimeProvider clock, DispatchSignal dispatch)
{
    /// <summary>Most held monitors looked at per pass.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>One pass; returns how many held monitors it tried to release (their parents were no longer troubled).</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var held = await dependencies.HeldAsync(BatchSize, ct);
        if (held.Count == 0)
        {
            return 0;
        }
        var parents = new Dictionary<string, Monitor?>(StringComparer.Ordinal);
        var free = new List<Monitor>();
        foreach (var monitor in held)
        {
            var troubled = false;
            foreach (var id in monitor.DependsOn)
            {
                if (!parents.TryGetValue(id, out var parent))
                {
                    parents[id] = parent = await store.FindAsync(id, ct);
                }
                troubled |= parent is not null && Dependencies.IsTroubled(parent);
            }
            if (!troubled)
            {
                free.Add(monitor);
            }
        }
        if (free.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var flips = await store.FlipAsync(free, m => Dependencies.Release(m, now), ct);
        if (flips.Count > 0)
        {
            dispatch.Wake();
        }
        return flips.Count;
    }
}
