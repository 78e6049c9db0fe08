namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore : IClusterStore
{
    /// <summary>A SQLite folder is locked by the one server that opened it.</summary>
    public bool Shared => false;

    public Task CheckInAsync(NodeInfo node, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Writer.WriteAsync(ctx => ctx.Exec(
            "INSERT INTO nodes (id, address, version, started_at, last_seen_at) VALUES (@id, @address, @version, @started, @seen) " +
            "ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version, last_seen_at = excluded.last_seen_at",
            ("@id", node.Id), ("@address", node.Address), ("@version", node.Version), ("@started", Time.Ms(node.StartedAt)), ("@seen", Time.Ms(node.LastSeenAt))));
    }

    public Task LeaveAsync(string nodeId, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            ctx.Exec("DELETE FROM leases WHERE holder = @node", ("@node", nodeId));
            return ctx.Exec("DELETE FROM nodes WHERE id = @node", ("@node", nodeId));
        });

    public Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<NodeInfo> rows = Query(connection, "SELECT id, address, version, started_at, last_seen_at FROM nodes ORDER BY started_at, id",
            r => new NodeInfo(r.GetString(0), r.GetString(1), r.GetString(2), Time.From(r.GetInt64(3)), Time.From(r.GetInt64(4))));
        return Task.FromResult(rows);
    }

    public Task<int> ForgetNodesAsync(DateTimeOffset seenBefore, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("DELETE FROM nodes WHERE last_seen_at < @before", ("@before", Time.Ms(seenBefore))));

    public Task<IReadOnlyList<string>> RenewAsync(string nodeId, DateTimeOffset now, TimeSpan ttl, CancellationToken ct) =>
        Writer.WriteAsync<IReadOnlyList<string>>(ctx => Query(ctx,
            "UPDATE leases SET expires_at = @until WHERE holder = @node AND expires_at > @now RETURNING name",
            r => r.GetString(0), ("@until", Time.Ms(now + ttl)), ("@node", nodeId), ("@now", Time.Ms(now))));

    public Task<IReadOnlyList<string>> AcquireAsync(string nodeId, IReadOnlyList<string> names, int max, DateTimeOffset now, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Writer.WriteAsync<IReadOnlyList<string>>(ctx =>
        {
            var taken = new List<string>();
            foreach (var name in names)
            {
                if (taken.Count >= max)
                {
                    break;
                }
                var rows = Query(ctx,
                    "INSERT INTO leases (name, holder, epoch, expires_at) VALUES (@name, @node, 1, @until) " +
                    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = leases.epoch + 1, expires_at = excluded.expires_at " +
                    "WHERE leases.expires_at <= @now RETURNING name",
                    r => r.GetString(0), ("@name", name), ("@node", nodeId), ("@until", Time.Ms(now + ttl)), ("@now", Time.Ms(now)));
                taken.AddRange(rows);
            }
            return taken;
        });
    }

    public Task ReleaseAsync(string nodeId, IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Writer.WriteAsync(ctx =>
        {
            foreach (var name in names)
            {
                ctx.Exec("UPDATE leases SET expires_at = 0 WHERE name = @name AND holder = @node", ("@name", name), ("@node", nodeId));
            }
            return true;
        });
    }

    public Task<IReadOnlyList<Lease>> LeasesAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Lease> rows = Query(connection, "SELECT name, holder, epoch, expires_at FROM leases ORDER BY name",
            r => new Lease(r.GetString(0), r.GetString(1), r.GetInt64(2), Time.From(r.GetInt64(3))));
        return Task.FromResult(rows);
    }
}
