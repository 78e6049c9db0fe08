namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore : IClusterStore
{
    /// <summary>Several servers may share one database.</summary>
    public bool Shared => true;

    public Task CheckInAsync(NodeInfo node, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        return InTransactionAsync(async s => await s.ExecAsync(
            "INSERT INTO nodes (id, address, version, started_at, last_seen_at) VALUES (@id, @address, @version, @started, @seen) " +
            "ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version, last_seen_at = excluded.last_seen_at",
            ("@id", node.Id), ("@address", node.Address), ("@version", node.Version), ("@started", Time.Ms(node.StartedAt)), ("@seen", Time.Ms(node.LastSeenAt))), ct);
    }

    public Task LeaveAsync(string nodeId, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync("DELETE FROM leases WHERE holder = @node", ("@node", nodeId));
            return await s.ExecAsync("DELETE FROM nodes WHERE id = @node", ("@node", nodeId));
        }, ct);

    public Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<NodeInfo>>(async s => await s.QueryAsync(
            "SELECT id, address, version, started_at, last_seen_at FROM nodes ORDER BY started_at, id",
            r => new NodeInfo(r.GetString(0), r.GetString(1), r.GetString(2), Time.From(r.GetInt64(3)), Time.From(r.GetInt64(4)))), ct);

    public Task<int> ForgetNodesAsync(DateTimeOffset seenBefore, CancellationToken ct) =>
        InTransactionAsync(s => s.ExecAsync("DELETE FROM nodes WHERE last_seen_at < @before", ("@before", Time.Ms(seenBefore))), ct);

    public Task<IReadOnlyList<string>> RenewAsync(string nodeId, DateTimeOffset now, TimeSpan ttl, CancellationToken ct) =>
        InTransactionAsync<IReadOnlyList<string>>(async s => await s.QueryAsync(
            "UPDATE leases SET expires_at = @until WHERE holder = @node AND expires_at > @now RETURNING name",
            r => r.GetString(0), ("@until", Time.Ms(now + ttl)), ("@node", nodeId), ("@now", Time.Ms(now))), ct);

    /// <remarks>
    /// Each lease is taken in a transaction of its own: nodes starting together reach for the
    /// same leases in different orders, and a transaction holding several would deadlock theirs.
    /// </remarks>
    public async Task<IReadOnlyList<string>> AcquireAsync(string nodeId, IReadOnlyList<string> names, int max, DateTimeOffset now, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        var taken = new List<string>();
        foreach (var name in names)
        {
            if (taken.Count >= max)
            {
                break;
            }
            // A lease another node holds and keeps renewing is left alone; one that expired
            // changes hands with a new epoch.
            taken.AddRange(await InTransactionAsync(s => s.QueryAsync(
                "INSERT INTO leases (name, holder, epoch, expires_at) VALUES (@name, @node, 1, @until) " +
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = leases.epoch + 1, expires_at = excluded.expires_at " +
                "WHERE leases.expires_at <= @now RETURNING name",
                r => r.GetString(0), ("@name", name), ("@node", nodeId), ("@until", Time.Ms(now + ttl)), ("@now", Time.Ms(now))), ct));
        }
        return taken;
    }

    public Task ReleaseAsync(string nodeId, IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        return InTransactionAsync(async s => await s.ExecAsync(
            "UPDATE leases SET expires_at = 0 WHERE name = ANY(@names) AND holder = @node", ("@names", names.ToArray()), ("@node", nodeId)), ct);
    }

    public Task<IReadOnlyList<Lease>> LeasesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Lease>>(async s => await s.QueryAsync(
            "SELECT name, holder, epoch, expires_at FROM leases ORDER BY name",
            r => new Lease(r.GetString(0), r.GetString(1), r.GetInt64(2), Time.From(r.GetInt64(3)))), ct);
}
