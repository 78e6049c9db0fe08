using Lifeline.Core.Probes;

namespace Lifeline.Core;

/// <summary>
/// Locations and their probes, the result batches already stored, and re-check requests. Enrol
/// tokens and probe secrets are kept only as hashes.
/// </summary>
public interface ILocationStore
{
    Task<IReadOnlyList<Location>> LocationsAsync(CancellationToken ct);

    Task<Location?> FindLocationAsync(string id, CancellationToken ct);

    /// <summary>Adds a location with a one-time enrol token (its hash); false when the name (without case) is taken.</summary>
    Task<bool> AddLocationAsync(Location location, byte[] enrollTokenHash, CancellationToken ct);

    /// <summary>Gives the location a new one-time enrol token; false when it does not exist.</summary>
    Task<bool> SetEnrollTokenAsync(string locationId, byte[] enrollTokenHash, CancellationToken ct);

    /// <summary>Deletes a location and its probes; false when it does not exist.</summary>
    Task<bool> DeleteLocationAsync(string id, CancellationToken ct);

    /// <summary>Every probe of every location, by location then name.</summary>
    Task<IReadOnlyList<ProbeInfo>> ProbesAsync(CancellationToken ct);

    Task<ProbeInfo?> FindProbeAsync(string id, CancellationToken ct);

    /// <summary>
    /// Enrols a probe with the location whose enrol token hashes to <paramref name="tokenHash"/>,
    /// using the token up in the same transaction; null when no location has that token.
    /// </summary>
    Task<ProbeInfo?> EnrollAsync(byte[] tokenHash, string probeId, string name, byte[] secretHash, DateTimeOffset at, CancellationToken ct);

    /// <summary>Notes that the probe called at <paramref name="at"/>.</summary>
    Task SeenAsync(string probeId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Replaces the probe's secret; false when the probe does not exist.</summary>
    Task<bool> SetProbeSecretAsync(string probeId, byte[] secretHash, CancellationToken ct);

    Task<bool> DeleteProbeAsync(string probeId, CancellationToken ct);

    /// <summary>Every active monitor checked from somewhere other than the server alone, paused ones included.</summary>
    Task<IReadOnlyList<Monitor>> RemoteMonitorsAsync(CancellationToken ct);

    /// <summary>Whether the probe's batch was stored before.</summary>
    Task<bool> BatchSeenAsync(string probeId, string batchId, CancellationToken ct);

    /// <summary>Remembers that the probe's batch is stored.</summary>
    Task MarkBatchAsync(string probeId, string batchId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Asks every location to check the monitor again now: remembers the request for the probes
    /// and brings the monitor's due time forward to <paramref name="at"/> for the server.
    /// </summary>
    Task RequestRecheckAsync(string monitorId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Re-check requests made at or after <paramref name="since"/>, by monitor id.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> RechecksAsync(DateTimeOffset since, CancellationToken ct);

    /// <summary>Forgets batches and re-check requests older than <paramref name="before"/>; returns how many rows went.</summary>
    Task<int> PruneProbeDataAsync(DateTimeOffset before, CancellationToken ct);
}
