namespace Lifeline.Core;

/// <summary>
/// The scheduler's maintenance pass: stores the occurrences of recurring windows as they come,
/// pauses and resumes the monitors of pause windows, and alerts for monitors still down when the
/// windows covering them have ended. Every step is claimed in the store, so several nodes may run
/// it at once.
/// </summary>
public sealed class MaintenanceSweep(IMaintenanceStore store, TimeProvider clock, DispatchSignal dispatch)
{
    /// <summary>Occurrences this node has stored or seen stored; a restart just stores them again (a no-op).</summary>
    private readonly HashSet<(string Window, string Timing, DateTimeOffset Start)> _known = [];
    private readonly Lock _gate = new();

    /// <summary>How long ended occurrences are kept; default 7 days.</summary>
    public TimeSpan KeepEnded { get; init; } = TimeSpan.FromDays(7);

    /// <summary>One pass; returns the number of monitors it paused, resumed or alerted for.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await PlanAsync(now, ct);
        var changed = await store.StartPausesAsync(now, ct) + await store.EndPausesAsync(now, ct);
        var alerted = await store.AlertAfterWindowsAsync(now, ct);
        if (alerted > 0)
        {
            dispatch.Wake();
        }
        return changed + alerted;
    }

    /// <summary>Deletes occurrences ended more than <see cref="KeepEnded"/> ago.</summary>
    public Task<int> PruneAsync(CancellationToken ct) => store.PruneOccurrencesAsync(clock.GetUtcNow() - KeepEnded, ct);

    private async Task PlanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var fresh = new List<(string Timing, MaintenanceOccurrence Occurrence)>();
        foreach (var window in await store.WindowsAsync(ct))
        {
            if (window.Kind != MaintenanceKind.Recurring)
            {
                continue;
            }
            // An edit of the timing makes its occurrences new to this node.
            var timing = $"{window.Schedule}|{window.Tz}|{window.Duration}";
            lock (_gate)
            {
                fresh.AddRange(window.OccurrencesAround(now).Where(o => !_known.Contains((window.Id, timing, o.StartsAt))).Select(o => (timing, o)));
            }
        }
        if (fresh.Count == 0)
        {
            return;
        }
        await store.AddOccurrencesAsync([.. fresh.Select(f => f.Occurrence)], ct);
        lock (_gate)
        {
            if (_known.Count > 100_000)
            {
                _known.Clear();
            }
            foreach (var (timing, occurrence) in fresh)
            {
                _known.Add((occurrence.WindowId, timing, occurrence.StartsAt));
            }
        }
    }
}
