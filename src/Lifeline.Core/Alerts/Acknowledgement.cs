namespace Lifeline.Core;

/// <summary>
/// Acknowledging an open incident: who and when are recorded on the monitor and the incident, and
/// reminders stop (see <see cref="MonitorMachine"/>); the recovery notice still goes out.
/// </summary>
public static class Acknowledgement
{
    /// <summary>Acknowledges the open incident; null when the monitor has none.</summary>
    public static Flip? Ack(Monitor monitor, string by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (monitor.OpenIncidentId is null)
        {
            return null;
        }
        var next = monitor with { AcknowledgedBy = by, AcknowledgedAt = at };
        if (monitor.Kind == MonitorKind.Push && monitor.Status == MonitorStatus.Down)
        {
            // A down push monitor is due only for its reminders.
            next = next with { DueAt = null };
        }
        return Flip.Quiet(monitor, next);
    }

    /// <summary>An acknowledgement belongs to one incident: a transition that opens or closes one ends it.</summary>
    public static Flip EndWithIncident(Flip flip)
    {
        ArgumentNullException.ThrowIfNull(flip);
        return flip.Incident == IncidentChange.None || flip.Next.AcknowledgedAt is null
            ? flip
            : flip with { Next = flip.Next with { AcknowledgedBy = null, AcknowledgedAt = null } };
    }
}
