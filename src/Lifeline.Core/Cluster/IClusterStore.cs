namespace Lifeline.Core;

/// <summary>One server of a cluster, as it last checked in.</summary>
/// <param name="Id">Random per process start.</param>
/// <param name="Address">Where it listens, e.g. "http://db-host-1:5080".</param>
public sealed record NodeInfo(string Id, string Address, string Version, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt);

/// <summary>
/// Who runs, and who holds which lease. A lease is a named piece of work (a shard of the monitors,
/// the Telegram poller) that one node at a time does; it lasts until its expiry unless renewed, so
/// a node that dies loses its leases by itself. Each time a lease changes hands its epoch grows.
/// </summary>
public interface IClusterStore
{
    /// <summary>
    /// True when several servers may share this store (PostgreSQL); false when one server owns it
    /// (SQLite, whose data folder is locked by the server that opened it).
    /// </summary>
    bool Shared { get; }

    /// <summary>Adds the node or updates its row (address, version, last seen).</summary>
    Task CheckInAsync(NodeInfo node, CancellationToken ct);

    /// <summary>Removes the node's row and gives up its leases (a clean stop).</summary>
    Task LeaveAsync(string nodeId, CancellationToken ct);

    /// <summary>Every node row, oldest start first.</summary>
    Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken ct);

    /// <summary>Deletes rows of nodes last seen before <paramref name="seenBefore"/>; returns how many.</summary>
    Task<int> ForgetNodesAsync(DateTimeOffset seenBefore, CancellationToken ct);

    /// <summary>
    /// Extends every lease <paramref name="nodeId"/> holds that has not expired at <paramref name="now"/>
    /// to <paramref name="now"/> + <paramref name="ttl"/>; returns their names. A lease that expired is
    /// not renewed: another node may have it, and taking it back goes through <see cref="AcquireAsync"/>.
    /// </summary>
    Task<IReadOnlyList<string>> RenewAsync(string nodeId, DateTimeOffset now, TimeSpan ttl, CancellationToken ct);

    /// <summary>
    /// Takes, of <paramref name="names"/> in order, up to <paramref name="max"/> leases that nobody
    /// holds or whose holder let them expire; returns the names taken.
    /// </summary>
    Task<IReadOnlyList<string>> AcquireAsync(string nodeId, IReadOnlyList<string> names, int max, DateTimeOffset now, TimeSpan ttl, CancellationToken ct);

    /// <summary>Gives up the named leases if <paramref name="nodeId"/> holds them, so another node may take them at once.</summary>
    Task ReleaseAsync(string nodeId, IReadOnlyList<string> names, CancellationToken ct);

    /// <summary>Every lease: name, holder, epoch and expiry.</summary>
    Task<IReadOnlyList<Lease>> LeasesAsync(CancellationToken ct);
}

/// <summary>A lease as stored.</summary>
public sealed record Lease(string Name, string Holder, long Epoch, DateTimeOffset ExpiresAt);
