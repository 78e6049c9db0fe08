using Lifeline.Core.Probes;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

/// <summary>Locations, their probes, stored result batches and re-check requests (migration 0014).</summary>
public sealed partial class SqliteStore : ILocationStore
{
    private const string LocationColumns = "id, name, created_at, watch_monitor_id";
    private const string ProbeColumns = "id, location_id, name, secret_hash, enrolled_at, last_seen";

    public Task<IReadOnlyList<Location>> LocationsAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Location> rows = Query(connection, $"SELECT {LocationColumns} FROM locations ORDER BY name_key, id", ReadLocation);
        return Task.FromResult(rows);
    }

    public Task<Location?> FindLocationAsync(string id, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {LocationColumns} FROM locations WHERE id = @id", ReadLocation, ("@id", id)).FirstOrDefault());
    }

    public Task<bool> AddLocationAsync(Location location, byte[] enrollTokenHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Writer.WriteAsync(ctx =>
        {
            if (ctx.Scalar("SELECT 1 FROM locations WHERE name_key = @key", ("@key", NameKey(location.Name))) is not null)
            {
                return false;
            }
            ctx.Exec(
                "INSERT INTO locations (id, name, name_key, created_at, watch_monitor_id, enroll_hash) VALUES (@id, @name, @key, @created, @watch, @hash)",
                ("@id", location.Id), ("@name", location.Name), ("@key", NameKey(location.Name)), ("@created", Time.Ms(location.CreatedAt)),
                ("@watch", location.WatchMonitorId), ("@hash", enrollTokenHash));
            return true;
        });
    }

    public Task<bool> SetEnrollTokenAsync(string locationId, byte[] enrollTokenHash, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("UPDATE locations SET enroll_hash = @hash WHERE id = @id", ("@hash", enrollTokenHash), ("@id", locationId)) > 0);

    public Task<bool> DeleteLocationAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            var deleted = ctx.Exec("DELETE FROM locations WHERE id = @id", ("@id", id)) > 0;
            ctx.Exec("DELETE FROM probes WHERE location_id = @id", ("@id", id));
            return deleted;
        });

    public Task<IReadOnlyList<ProbeInfo>> ProbesAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<ProbeInfo> rows = Query(connection, $"SELECT {ProbeColumns} FROM probes ORDER BY location_id, name, id", ReadProbe);
        return Task.FromResult(rows);
    }

    public Task<ProbeInfo?> FindProbeAsync(string id, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {ProbeColumns} FROM probes WHERE id = @id", ReadProbe, ("@id", id)).FirstOrDefault());
    }

    public Task<ProbeInfo?> EnrollAsync(byte[] tokenHash, string probeId, string name, byte[] secretHash, DateTimeOffset at, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            if (ctx.Scalar("SELECT id FROM locations WHERE enroll_hash = @hash", ("@hash", tokenHash)) is not string location)
            {
                return null;
            }
            ctx.Exec("UPDATE locations SET enroll_hash = NULL WHERE id = @id", ("@id", location));
            ctx.Exec(
                "INSERT INTO probes (id, location_id, name, secret_hash, enrolled_at, last_seen) VALUES (@id, @location, @name, @hash, @at, @at)",
                ("@id", probeId), ("@location", location), ("@name", name), ("@hash", secretHash), ("@at", Time.Ms(at)));
            return new ProbeInfo(probeId, location, name, secretHash, at, at);
        });

    public Task SeenAsync(string probeId, DateTimeOffset at, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("UPDATE probes SET last_seen = @at WHERE id = @id AND (last_seen IS NULL OR last_seen < @at)", ("@at", Time.Ms(at)), ("@id", probeId)));

    public Task<bool> SetProbeSecretAsync(string probeId, byte[] secretHash, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("UPDATE probes SET secret_hash = @hash WHERE id = @id", ("@hash", secretHash), ("@id", probeId)) > 0);

    public Task<bool> DeleteProbeAsync(string probeId, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("DELETE FROM probes WHERE id = @id", ("@id", probeId)) > 0);

    public Task<IReadOnlyList<Monitor>> RemoteMonitorsAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Monitor> rows = Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE locations IS NOT NULL AND kind <> 'push' ORDER BY id", MonitorColumns.Read);
        return Task.FromResult(rows);
    }

    public Task<bool> BatchSeenAsync(string probeId, string batchId, CancellationToken ct)
    {
        using var connection = OpenReader();
        using var command = ReadCommand(connection, "SELECT EXISTS (SELECT 1 FROM probe_batches WHERE probe_id = @p AND batch = @b)", ("@p", probeId), ("@b", batchId));
        return Task.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0);
    }

    public Task MarkBatchAsync(string probeId, string batchId, DateTimeOffset at, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("INSERT OR IGNORE INTO probe_batches (probe_id, batch, at) VALUES (@p, @b, @at)", ("@p", probeId), ("@b", batchId), ("@at", Time.Ms(at))));

    public Task RequestRecheckAsync(string monitorId, DateTimeOffset at, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            ctx.Exec("INSERT INTO rechecks (monitor_id, at) VALUES (@m, @at) ON CONFLICT (monitor_id) DO UPDATE SET at = max(at, excluded.at)", ("@m", monitorId), ("@at", Time.Ms(at)));
            return ctx.Exec("UPDATE monitors SET due_at = @at, next_deadline_at = @at WHERE id = @m AND due_at IS NOT NULL AND due_at > @at", ("@m", monitorId), ("@at", Time.Ms(at)));
        });

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> RechecksAsync(DateTimeOffset since, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyDictionary<string, DateTimeOffset> rows = Query(connection, "SELECT monitor_id, at FROM rechecks WHERE at >= @since", r => (r.GetString(0), Time.From(r.GetInt64(1))), ("@since", Time.Ms(since)))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
        return Task.FromResult(rows);
    }

    public Task<int> PruneProbeDataAsync(DateTimeOffset before, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
            ctx.Exec("DELETE FROM probe_batches WHERE at < @t", ("@t", Time.Ms(before)))
            + ctx.Exec("DELETE FROM rechecks WHERE at < @t", ("@t", Time.Ms(before))));

    private static string NameKey(string name) => name.Trim().ToUpperInvariant();

    private static Location ReadLocation(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), Time.From(r.GetInt64(2)), MonitorColumns.Str(r, 3));

    private static ProbeInfo ReadProbe(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3), Time.From(r.GetInt64(4)), r.IsDBNull(5) ? null : Time.From(r.GetInt64(5)));
}
