namespace Lifeline.Core;

/// <summary>What happens to a planned notice because of maintenance.</summary>
public enum NoticeFate
{
    Send,
    /// <summary>Not sent.</summary>
    Drop,
    /// <summary>Not sent, and the incident it opens is marked muted: the window's end alerts if still down.</summary>
    DropAndMarkIncident,
}

/// <summary>
/// The maintenance rules for notices, pure so that both stores apply them alike inside the
/// transaction that writes the flip.
/// </summary>
public static class MaintenanceMute
{
    /// <summary>Added to the reason of an incident opened in a window.</summary>
    public const string IncidentNote = " (in maintenance)";

    /// <param name="notice">The notice the flip plans.</param>
    /// <param name="change">The flip's incident change.</param>
    /// <param name="covered">Whether a window covers the monitor at the notice's time.</param>
    /// <param name="incidentMuted">Whether the incident the notice belongs to (the open one, before the flip) was muted.</param>
    /// <remarks>
    /// A down notice in a window is held, and its incident remembers it. A recovery is sent unless
    /// its down notice was held: people told of the outage are told of its end, even in a window,
    /// and people never told of it are not told it ended. Reminders in a window are held.
    /// </remarks>
    public static NoticeFate Decide(Notice notice, IncidentChange change, bool covered, bool incidentMuted)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (notice.IsDown && notice.Reminder)
        {
            return covered || incidentMuted ? NoticeFate.Drop : NoticeFate.Send;
        }
        if (notice.IsDown)
        {
            return !covered ? NoticeFate.Send : change == IncidentChange.Open ? NoticeFate.DropAndMarkIncident : NoticeFate.Drop;
        }
        if (notice.IsUp)
        {
            return incidentMuted ? NoticeFate.Drop : NoticeFate.Send;
        }
        return NoticeFate.Send;
    }

    /// <summary>
    /// The down notice of a monitor still down when the windows covering it have ended: its
    /// down notice was held, so this is the first the channels hear of the incident.
    /// </summary>
    public static Notice StillDownAfterWindow(Monitor monitor, string incidentReason, DateTimeOffset incidentStartedAt, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(incidentReason);
        var reason = incidentReason.EndsWith(IncidentNote, StringComparison.Ordinal) ? incidentReason[..^IncidentNote.Length] : incidentReason;
        return new Notice
        {
            Type = Notice.DownType,
            At = at,
            Reason = $"still down after maintenance: {reason}",
            Monitor = NoticeMonitor.From(monitor),
            PreviousStatus = WireNames.Of(MonitorStatus.Down),
            IncidentStartedAt = incidentStartedAt,
        };
    }
}
