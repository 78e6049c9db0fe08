namespace Lifeline.Core;

/// <summary>Where a signal is addressed: a push token, or the instance ping key with a slug.</summary>
public sealed record SignalAddress
{
    public string? Token { get; init; }
    /// <summary>A slug; the caller has already checked the instance ping key that came with it.</summary>
    public string? Slug { get; init; }
    /// <summary>With a slug: the monitor to create when none has that slug (Healthchecks' <c>?create=1</c>).</summary>
    public Func<Monitor>? CreateIfMissing { get; init; }

    /// <summary>An active monitor's id: checks address their monitor directly.</summary>
    public string? MonitorId { get; init; }
    /// <summary>
    /// With <see cref="MonitorId"/>: record only if the monitor is still due at this time, so a check
    /// of a monitor paused, edited or checked elsewhere meanwhile is dropped (answered as not found).
    /// </summary>
    public DateTimeOffset? ExpectedDueAt { get; init; }

    public static SignalAddress ForToken(string token) => new() { Token = token };
}

public enum SignalOutcome
{
    Recorded,
    Created,
    NotFound,
}

/// <summary>What recording a signal did; <paramref name="PlannedNotice"/> is true when it queued a notice.</summary>
public sealed record SignalResult(SignalOutcome Outcome, Monitor? Monitor, bool PlannedNotice = false);

/// <summary>Filters and paging for listing monitors.</summary>
public sealed record MonitorQuery
{
    public MonitorStatus? Status { get; init; }
    public string? Tag { get; init; }
    /// <summary>Case-insensitive text found in the name or slug.</summary>
    public string? Text { get; init; }
    /// <summary>Page size; default 100.</summary>
    public int Limit { get; init; } = 100;
    /// <summary>Opaque cursor from the previous page.</summary>
    public string? Cursor { get; init; }
}

public sealed record MonitorPage(IReadOnlyList<Monitor> Items, string? NextCursor);

/// <summary>A write that conflicts with a unique field (slug or push token).</summary>
public sealed class ConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Monitors, their events and incidents. Every transition is applied atomically with its incident and outbox rows.</summary>
public interface IMonitorStore
{
    Task<Monitor> AddAsync(Monitor monitor, CancellationToken ct);
    Task<Monitor?> FindAsync(string id, CancellationToken ct);
    Task<Monitor?> FindByNameAsync(string name, CancellationToken ct);
    Task<MonitorPage> ListAsync(MonitorQuery query, CancellationToken ct);

    /// <summary>Reads, transforms and writes a monitor in one transaction; null when the id is unknown.</summary>
    Task<Monitor?> ChangeAsync(string id, Func<Monitor, Flip> change, CancellationToken ct);

    Task<bool> DeleteAsync(string id, CancellationToken ct);

    /// <summary>Records a signal: finds the monitor, applies <see cref="MonitorMachine.OnSignal"/>, stores the event, in one durable transaction.</summary>
    Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, CancellationToken ct);

    Task<IReadOnlyList<MonitorEvent>> EventsAsync(string monitorId, int limit, CancellationToken ct);
    Task<IReadOnlyList<Incident>> IncidentsAsync(string monitorId, int limit, CancellationToken ct);

    /// <summary>Monitors of <paramref name="kind"/> whose due time is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<Monitor>> DueAsync(MonitorKind kind, DateTimeOffset now, int max, CancellationToken ct);

    /// <summary>
    /// For each candidate, reads the monitor again inside the write, applies <paramref name="decide"/>
    /// to it as it is then (a ping may have landed since the candidate was read), and stores the flip
    /// it returns, with its incident and outbox rows. Returns the flips stored. A store shared by
    /// several servers must hold the row (for example <c>SELECT ... FOR UPDATE</c>) between the read
    /// and the write.
    /// </summary>
    Task<IReadOnlyList<Flip>> FlipAsync(IReadOnlyList<Monitor> candidates, Func<Monitor, Flip?> decide, CancellationToken ct);

    /// <summary>Monitors whose due time lies in [from, to].</summary>
    Task<IReadOnlyList<Monitor>> DueBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>Deletes all but the newest <paramref name="keep"/> events of up to <paramref name="maxMonitors"/> monitors that have more; returns events deleted.</summary>
    Task<int> PruneEventsAsync(int keep, int maxMonitors, CancellationToken ct);

    Task<IReadOnlyDictionary<MonitorStatus, int>> CountByStatusAsync(CancellationToken ct);

    /// <summary>
    /// Deletes history older than <paramref name="before"/>: delivered or given-up notices and their
    /// attempts, closed incidents and hourly check rollups. Pending notices and open incidents stay.
    /// Returns the rows deleted.
    /// </summary>
    Task<int> PruneHistoryAsync(DateTimeOffset before, CancellationToken ct);
}

/// <summary>Helpers over <see cref="IMonitorStore"/>.</summary>
public static class MonitorStoreExtensions
{
    /// <summary>Every monitor, in name order, read page by page.</summary>
    public static async Task<IReadOnlyList<Monitor>> ListAllAsync(this IMonitorStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var all = new List<Monitor>();
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(new MonitorQuery { Limit = 1000, Cursor = cursor }, ct);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }
}
