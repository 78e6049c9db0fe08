namespace Lifeline.Core;

/// <summary>
/// Maintenance windows and their occurrences. The store also applies the windows to notices: a
/// flip written while a window covers its monitor has its notice decided by
/// <see cref="MaintenanceMute.Decide"/>, in the same transaction.
/// </summary>
public interface IMaintenanceStore
{
    /// <summary>Stores a new window with its first occurrences.</summary>
    Task AddWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct);

    Task<MaintenanceWindow?> FindWindowAsync(string id, CancellationToken ct);

    /// <summary>Every window, in name order.</summary>
    Task<IReadOnlyList<MaintenanceWindow>> WindowsAsync(CancellationToken ct);

    /// <summary>
    /// Saves an edited window and replaces its unfinished occurrences by <paramref name="occurrences"/>.
    /// One in progress that paused monitors is kept: it takes the end of the new occurrence with
    /// its start, or ends at <paramref name="now"/> when there is none. False when the id is unknown.
    /// </summary>
    Task<bool> UpdateWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Deletes a window and its occurrences; monitors its occurrence in progress paused are resumed
    /// in the same transaction. False when the id is unknown.
    /// </summary>
    Task<bool> DeleteWindowAsync(string id, DateTimeOffset now, CancellationToken ct);

    /// <summary>Ends the window's occurrence in progress at <paramref name="now"/>; false when none was in progress.</summary>
    Task<bool> EndOccurrenceAsync(string windowId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Adds occurrences not stored yet (the same start of one window is stored once, whichever node adds it).</summary>
    Task AddOccurrencesAsync(IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct);

    /// <summary>The windows with an occurrence in force at <paramref name="at"/>.</summary>
    Task<IReadOnlyList<MaintenanceState>> InForceAsync(DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Pause windows whose occurrence has started by <paramref name="now"/> and not yet paused its
    /// monitors: pauses the covered monitors not already paused and remembers them, once per
    /// occurrence whichever node asks. Returns the monitors paused.
    /// </summary>
    Task<int> StartPausesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Occurrences that paused monitors and have ended by <paramref name="now"/>: resumes the
    /// monitors they paused that are still paused, once per occurrence. Returns the monitors resumed.
    /// </summary>
    Task<int> EndPausesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Monitors still down with a muted incident that no window covers at <paramref name="now"/>:
    /// for each, in one transaction with the monitor row held, the incident stops being muted and
    /// the down notice (<see cref="MaintenanceMute.StillDownAfterWindow"/>) goes to the outbox,
    /// so it is planned exactly once even with several nodes. Returns the notices planned.
    /// </summary>
    Task<int> AlertAfterWindowsAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Deletes occurrences that ended before <paramref name="before"/> and have nothing left to do.</summary>
    Task<int> PruneOccurrencesAsync(DateTimeOffset before, CancellationToken ct);
}
