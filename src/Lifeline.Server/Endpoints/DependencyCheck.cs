namespace Lifeline.Server.Endpoints;

/// <summary>Checks a monitor's <c>dependsOn</c> as saved: every parent exists and no cycle is closed.</summary>
internal static class DependencyCheck
{
    /// <summary>Most parents one monitor may have.</summary>
    public const int MaxParents = 100;

    public static async Task CheckAsync(Monitor monitor, IMonitorStore store, IDependencyStore dependencies, List<FieldError> errors, CancellationToken ct)
    {
        if (monitor.DependsOn.Count > MaxParents)
        {
            errors.Add(new("dependsOn", $"dependsOn: at most {MaxParents} monitors"));
            return;
        }
        var known = true;
        foreach (var id in monitor.DependsOn.Where(id => id != monitor.Id))
        {
            if (await store.FindAsync(id, ct) is null)
            {
                errors.Add(new("dependsOn", $"dependsOn: no monitor with id '{id}'"));
                known = false;
            }
        }
        if (!known)
        {
            return;
        }
        var cycle = Dependencies.FindCycle(monitor.Id, monitor.Name, monitor.DependsOn, await dependencies.DependantsAsync(ct));
        if (cycle is not null)
        {
            errors.Add(new("dependsOn", $"dependsOn: cycle {string.Join(" -> ", cycle)}"));
        }
    }
}
