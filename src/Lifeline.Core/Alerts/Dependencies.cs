namespace Lifeline.Core;

/// <summary>
/// Dependency holds, as pure functions the stores apply inside the transaction of a transition.
/// The rule:
/// <list type="bullet">
/// <item>A monitor's down notice is held while one of its parents is troubled: down, late (a push
/// monitor in its grace time), or failing checks it has not yet counted as down (an active monitor
/// in its retries). The incident records "suppressed by &lt;parent&gt;"; the monitor shows
/// <see cref="Monitor.SuppressedBy"/>. Its reminders and its recovery notice are held with it, since
/// nobody was told it was down.</item>
/// <item>A monitor that goes down while its parents all look healthy waits for them first
/// (<see cref="Monitor.SuppressedBy"/> is <see cref="AwaitingParents"/>): a host that just died is
/// usually seen by the monitor checked most often before its own agent misses a heartbeat. The
/// <see cref="DependencySweep"/> holds it for the parent that turns troubled meanwhile (<see cref="Suppress"/>),
/// or sends its down notice once every parent has been heard from, healthy, since it went down, or
/// the wait is over (<see cref="Release"/>).</item>
/// <item>A parent's own down notice counts its dependants (<see cref="Notice.Dependants"/>), once per
/// channel like every notice. Dependants going down later are held, not alerted.</item>
/// <item>When no parent is troubled any more and the monitor is still down, its down notice goes out
/// (<see cref="Release"/>, run by <see cref="DependencySweep"/> under the row's lock, so once).</item>
/// </list>
/// </summary>
public static class Dependencies
{
    /// <summary>
    /// <see cref="Monitor.SuppressedBy"/> of a monitor whose down notice waits for its parents to be
    /// heard from (no monitor has an empty name).
    /// </summary>
    public const string AwaitingParents = "";

    /// <summary>Whether the monitor's down notice waits for its parents to be heard from.</summary>
    public static bool IsAwaitingParents(Monitor monitor) => monitor.SuppressedBy is { Length: 0 };

    /// <summary>The parent that holds the monitor's notice, as its incident records it; null while none does (or while it waits).</summary>
    public static string? HeldBy(Monitor monitor) => monitor.SuppressedBy is { Length: > 0 } parent ? parent : null;

    /// <summary>Whether a parent in this state holds its dependants' down notices.</summary>
    public static bool IsTroubled(Monitor parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return parent.Status is MonitorStatus.Down or MonitorStatus.Late
            || (parent.Status != MonitorStatus.Paused && parent.Kind != MonitorKind.Push && parent.FailureStreak > 0);
    }

    /// <summary>Whether <see cref="Settle"/> needs the parents of the monitor (a down notice that a parent may hold).</summary>
    public static bool NeedsParents(Flip flip)
    {
        ArgumentNullException.ThrowIfNull(flip);
        return flip.Notice is { IsDown: true, Reminder: false } && flip.Next.DependsOn.Count > 0;
    }

    /// <summary>
    /// Applies the holds to a transition decided on <paramref name="before"/>: holds a down notice
    /// while a parent is troubled, holds the reminders and recovery of a held monitor, and ends the
    /// hold when the monitor is no longer down.
    /// </summary>
    /// <param name="parents">The monitor's parents as they are now (only needed when <see cref="NeedsParents"/>).</param>
    public static Flip Settle(Monitor before, Flip flip, IReadOnlyList<Monitor> parents)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(flip);
        ArgumentNullException.ThrowIfNull(parents);
        var next = flip.Next.Status == MonitorStatus.Down ? flip.Next : flip.Next with { SuppressedBy = null };
        if (flip.Notice is not { } notice)
        {
            return flip with { Next = next };
        }
        if (before.SuppressedBy is not null && (notice.IsUp || notice.Reminder))
        {
            return flip with { Next = next, Held = true };
        }
        if (notice is { IsDown: true, Reminder: false } && parents.FirstOrDefault(IsTroubled) is { } parent)
        {
            return flip with
            {
                Next = next with { SuppressedBy = parent.Name },
                Notice = notice with { Reason = $"{notice.Reason} (suppressed by {parent.Name})" },
                Held = true,
            };
        }
        if (notice.IsDown && flip.Incident == IncidentChange.Open && parents.Count > 0)
        {
            // Every parent looks healthy, but may not have been looked at since: wait for them.
            return flip with { Next = next with { SuppressedBy = AwaitingParents }, Held = true };
        }
        return flip with { Next = next };
    }

    /// <summary>
    /// The held down notice of a monitor still down, now that its parents are no longer troubled (or,
    /// for one awaiting them, have been heard from or been waited for long enough); null when
    /// nothing is held. The store settles it again in its transaction, so a parent troubled
    /// meanwhile holds it once more.
    /// </summary>
    /// <param name="reason">For a monitor awaiting its parents: why it went down (its incident's reason).</param>
    public static Flip? Release(Monitor monitor, DateTimeOffset at, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (monitor.Status != MonitorStatus.Down || monitor.SuppressedBy is not { } parent)
        {
            return null;
        }
        var next = monitor with { SuppressedBy = null, LastAlertAt = at };
        if (monitor.Kind == MonitorKind.Push && monitor.RemindEvery is { } every && monitor.AcknowledgedAt is null)
        {
            next = next with { DueAt = at + every };
        }
        var last = monitor.LastMessage is { Length: > 0 } message ? $": {message}" : "";
        var waited = parent.Length == 0;
        return new Flip(next, MonitorStatus.Down, IncidentChange.None, new Notice
        {
            Type = Notice.DownType,
            At = at,
            Reason = waited ? reason ?? $"down{last}" : $"still down after {parent} recovered{last}",
            Monitor = NoticeMonitor.From(next),
            // The first word anybody hears of this outage.
            PreviousStatus = WireNames.Of(waited ? MonitorStatus.Up : MonitorStatus.Down),
        });
    }

    /// <summary>A monitor awaiting its parents is held for <paramref name="parent"/>, which turned troubled meanwhile; null when it no longer waits.</summary>
    public static Flip? Suppress(Monitor monitor, string parent)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return monitor.Status == MonitorStatus.Down && IsAwaitingParents(monitor)
            ? Flip.Quiet(monitor, monitor with { SuppressedBy = parent })
            : null;
    }

    /// <summary>
    /// How many monitors depend on <paramref name="id"/>, directly or through others, paused ones
    /// left out, and how many of them are down.
    /// </summary>
    public static (int All, int Down) CountBelow(string id, IReadOnlyList<DependencyNode> graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var children = new Dictionary<string, List<DependencyNode>>(StringComparer.Ordinal);
        foreach (var node in graph)
        {
            foreach (var parent in node.DependsOn.Distinct(StringComparer.Ordinal))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }
                list.Add(node);
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal) { id };
        var queue = new Queue<string>([id]);
        int all = 0, down = 0;
        while (queue.TryDequeue(out var current))
        {
            foreach (var child in children.GetValueOrDefault(current) ?? [])
            {
                if (!seen.Add(child.Id))
                {
                    continue;
                }
                queue.Enqueue(child.Id);
                if (child.Status == MonitorStatus.Paused)
                {
                    continue;
                }
                all++;
                down += child.Status == MonitorStatus.Down ? 1 : 0;
            }
        }
        return (all, down);
    }

    /// <summary>
    /// The cycle that giving monitor <paramref name="id"/> the parents <paramref name="dependsOn"/>
    /// would close, as names from the monitor back to itself (<c>web -&gt; agent -&gt; web</c>); null when none.
    /// </summary>
    /// <param name="graph">The other monitors that depend on something (the monitor's own entry is ignored).</param>
    public static IReadOnlyList<string>? FindCycle(string id, string name, IReadOnlyList<string> dependsOn, IReadOnlyList<DependencyNode> graph)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        ArgumentNullException.ThrowIfNull(graph);
        var byId = graph.Where(n => n.Id != id).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parent in dependsOn)
        {
            if (PathBack(parent) is { } path)
            {
                return [name, .. path];
            }
        }
        return null;

        // Names along a path from `from` back to the monitor, or null.
        List<string>? PathBack(string from)
        {
            if (from == id)
            {
                return [name];
            }
            if (!seen.Add(from) || !byId.TryGetValue(from, out var node))
            {
                return null;
            }
            foreach (var parent in node.DependsOn)
            {
                if (PathBack(parent) is { } rest)
                {
                    rest.Insert(0, node.Name);
                    return rest;
                }
            }
            return null;
        }
    }

    /// <summary>The error a store raises when an edit would close a cycle (the field is <c>dependsOn</c>).</summary>
    public static ConflictException CycleConflict(IReadOnlyList<string> cycle)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        return new ConflictException("dependsOn", $"cycle {string.Join(" -> ", cycle)}");
    }
}
