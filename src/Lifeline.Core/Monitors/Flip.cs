namespace Lifeline.Core;

/// <summary>What to do with the monitor's open incident as part of a transition.</summary>
public enum IncidentChange
{
    None,
    Open,
    Close,
}

/// <summary>
/// The outcome of one transition: the monitor's next state, the incident change, and the notice
/// to send (if any). A store applies all of it in one transaction.
/// </summary>
public sealed record Flip(Monitor Next, MonitorStatus Previous, IncidentChange Incident, Notice? Notice)
{
    public string? IncidentReason => Notice?.Reason;

    /// <summary>The notice is held, not sent: it only gives the incident its reason (see <see cref="Dependencies"/>).</summary>
    public bool Held { get; init; }

    public static Flip Quiet(Monitor before, Monitor next) => new(next, before.Status, IncidentChange.None, null);
}
