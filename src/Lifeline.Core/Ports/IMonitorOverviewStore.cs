namespace Lifeline.Core;

/// <summary>A notice planned for a monitor: which channel it went to and how its delivery stands.</summary>
public sealed record SentNotice(
    long Id,
    string DeliveryId,
    string ChannelId,
    string? ChannelName,
    string? ChannelKind,
    string Type,
    DateTimeOffset CreatedAt,
    DeliveryState State,
    int Attempts,
    string? LastError,
    DateTimeOffset? SentAt);

/// <summary>
/// Reads for pages that show many monitors at once. Each method reads every monitor it is given
/// in one query, so a page of 50 monitors costs a few queries whatever the number of monitors.
/// </summary>
public interface IMonitorOverviewStore
{
    /// <summary>The monitors with these ids (unknown ids are left out), in no particular order.</summary>
    Task<IReadOnlyList<Monitor>> FindManyAsync(IReadOnlyCollection<string> monitorIds, CancellationToken ct);

    /// <summary>
    /// The newest events of each monitor, at most <paramref name="perMonitor"/> each, newest first.
    /// Bodies are left out (<see cref="MonitorEvent.Body"/> is null). Monitors with no events are
    /// missing from the answer.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<MonitorEvent>>> RecentEventsAsync(IReadOnlyCollection<string> monitorIds, int perMonitor, CancellationToken ct);

    /// <summary>Incidents of these monitors that overlap [from, to): started before <paramref name="to"/> and not ended before <paramref name="from"/>.</summary>
    Task<IReadOnlyList<Incident>> IncidentsBetweenAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>A monitor's events older than event number <paramref name="beforeId"/> (all when null), newest first, with their bodies.</summary>
    Task<IReadOnlyList<MonitorEvent>> EventsBeforeAsync(string monitorId, long? beforeId, int limit, CancellationToken ct);

    /// <summary>The notices planned for a monitor, newest first, with their channel and delivery state.</summary>
    Task<IReadOnlyList<SentNotice>> NoticesAsync(string monitorId, int limit, CancellationToken ct);
}
