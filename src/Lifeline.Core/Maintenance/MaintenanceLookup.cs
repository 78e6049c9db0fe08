namespace Lifeline.Core;

/// <summary>Answers "is this monitor in maintenance now?" for lists of monitors, with one store read.</summary>
public sealed class MaintenanceLookup(IMaintenanceStore store, TimeProvider clock)
{
    /// <summary>A test for monitors, true when a window in force now covers the monitor.</summary>
    public async Task<Func<Monitor, bool>> InMaintenanceAsync(CancellationToken ct)
    {
        var windows = (await store.InForceAsync(clock.GetUtcNow(), ct)).Select(s => s.Window).ToList();
        return monitor => windows.Any(w => w.Covers(monitor));
    }
}
