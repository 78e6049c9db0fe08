namespace Lifeline.Core;

/// <summary>
/// One hour of an active monitor's checks: how many ran, failed or were inconclusive, and a
/// latency histogram (see <see cref="LatencyHistogram"/>) for percentiles.
/// </summary>
public sealed record CheckRollup(string MonitorId, DateTimeOffset Hour, int Checks, int Failures, int Unknown, IReadOnlyList<long> LatencyBuckets);

/// <summary>Hourly rollups of check results, kept after the raw events are pruned. Stores fill them as checks are recorded.</summary>
public interface ICheckHistoryStore
{
    /// <summary>Rollups of the monitor for hours starting in [from, to), oldest first.</summary>
    Task<IReadOnlyList<CheckRollup>> RollupsAsync(string monitorId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}
