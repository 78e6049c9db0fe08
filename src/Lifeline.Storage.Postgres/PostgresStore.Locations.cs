using System.Data.Common;
using Lifeline.Core.Probes;

namespace Lifeline.Storage.Postgres;

/// <summary>Locations, their probes, stored result batches and re-check requests (migration 0010).</summary>
public sealed partial class PostgresStore : ILocationStore
{
    private const string LocationColumns = "id, name, created_at, watch_monitor_id";
    private const string ProbeColumns = "id, location_id, name, secret_hash, enrolled_at, last_seen";

    public Task<IReadOnlyList<Location>> LocationsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Location>>(async s => await s.QueryAsync($"SELECT {LocationColumns} FROM locations ORDER BY name_key, id", ReadLocation), ct);

    public Task<Location?> FindLocationAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {LocationColumns} FROM locations WHERE id = @id", ReadLocation, ("@id", id))).FirstOrDefault(), ct);

    public Task<bool> AddLocationAsync(Location location, byte[] enrollTokenHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(location);
        return InTransactionAsync(async s =>
            await s.ScalarAsync(
                "INSERT INTO locations (id, name, name_key, created_at, watch_monitor_id, enroll_hash) VALUES (@id, @name, @key, @created, @watch, @hash) " +
                "ON CONFLICT (name_key) DO NOTHING RETURNING id",
                ("@id", location.Id), ("@name", location.Name), ("@key", NameKey(location.Name)), ("@created", Time.Ms(location.CreatedAt)),
                ("@watch", location.WatchMonitorId), ("@hash", enrollTokenHash)) is not null, ct);
    }

    public Task<bool> SetEnrollTokenAsync(string locationId, byte[] enrollTokenHash, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync("UPDATE locations SET enroll_hash = @hash WHERE id = @id", ("@hash", enrollTokenHash), ("@id", locationId)) > 0, ct);

    public Task<bool> DeleteLocationAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            var deleted = await s.ExecAsync("DELETE FROM locations WHERE id = @id", ("@id", id)) > 0;
            await s.ExecAsync("DELETE FROM probes WHERE location_id = @id", ("@id", id));
            return deleted;
        }, ct);

    public Task<IReadOnlyList<ProbeInfo>> ProbesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ProbeInfo>>(async s => await s.QueryAsync($"SELECT {ProbeColumns} FROM probes ORDER BY location_id, name, id", ReadProbe), ct);

    public Task<ProbeInfo?> FindProbeAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {ProbeColumns} FROM probes WHERE id = @id", ReadProbe, ("@id", id))).FirstOrDefault(), ct);

    public Task<ProbeInfo?> EnrollAsync(byte[] tokenHash, string probeId, string name, byte[] secretHash, DateTimeOffset at, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            // Using the token up and reading it are one statement: two probes with one token cannot both enrol.
            if (await s.ScalarAsync("UPDATE locations SET enroll_hash = NULL WHERE enroll_hash = @hash RETURNING id", ("@hash", tokenHash)) is not string location)
            {
                return null;
            }
            await s.ExecAsync(
                "INSERT INTO probes (id, location_id, name, secret_hash, enrolled_at, last_seen) VALUES (@id, @location, @name, @hash, @at, @at)",
                ("@id", probeId), ("@location", location), ("@name", name), ("@hash", secretHash), ("@at", Time.Ms(at)));
            return new ProbeInfo(probeId, location, name, secretHash, at, at);
        }, ct);

    public Task SeenAsync(string probeId, DateTimeOffset at, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync(
            "UPDATE probes SET last_seen = @at WHERE id = @id AND (last_seen IS NULL OR last_seen < @at)", ("@at", Time.Ms(at)), ("@id", probeId)), ct);

    public Task<bool> SetProbeSecretAsync(string probeId, byte[] secretHash, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync("UPDATE probes SET secret_hash = @hash WHERE id = @id", ("@hash", secretHash), ("@id", probeId)) > 0, ct);

    public Task<bool> DeleteProbeAsync(string probeId, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync("DELETE FROM probes WHERE id = @id", ("@id", probeId)) > 0, ct);

    public Task<IReadOnlyList<Monitor>> RemoteMonitorsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Monitor>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE locations IS NOT NULL AND kind <> 'push' ORDER BY id", MonitorColumns.Read), ct);

    public Task<bool> BatchSeenAsync(string probeId, string batchId, CancellationToken ct) =>
        ReadAsync(async s => (bool)(await s.ScalarAsync("SELECT EXISTS (SELECT 1 FROM probe_batches WHERE probe_id = @p AND batch = @b)", ("@p", probeId), ("@b", batchId)))!, ct);

    public Task MarkBatchAsync(string probeId, string batchId, DateTimeOffset at, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync(
            "INSERT INTO probe_batches (probe_id, batch, at) VALUES (@p, @b, @at) ON CONFLICT DO NOTHING", ("@p", probeId), ("@b", batchId), ("@at", Time.Ms(at))), ct);

    public Task RequestRecheckAsync(string monitorId, DateTimeOffset at, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync(
                "INSERT INTO rechecks (monitor_id, at) VALUES (@m, @at) ON CONFLICT (monitor_id) DO UPDATE SET at = greatest(rechecks.at, excluded.at)",
                ("@m", monitorId), ("@at", Time.Ms(at)));
            return await s.ExecAsync(
                "UPDATE monitors SET due_at = @at, next_deadline_at = @at WHERE id = @m AND due_at IS NOT NULL AND due_at > @at", ("@m", monitorId), ("@at", Time.Ms(at)));
        }, ct);

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> RechecksAsync(DateTimeOffset since, CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<string, DateTimeOffset>>(async s =>
            (await s.QueryAsync("SELECT monitor_id, at FROM rechecks WHERE at >= @since", r => (r.GetString(0), Time.From(r.GetInt64(1))), ("@since", Time.Ms(since))))
                .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal), ct);

    public Task<int> PruneProbeDataAsync(DateTimeOffset before, CancellationToken ct) =>
        InTransactionAsync(async s =>
            await s.ExecAsync("DELETE FROM probe_batches WHERE at < @t", ("@t", Time.Ms(before)))
            + await s.ExecAsync("DELETE FROM rechecks WHERE at < @t", ("@t", Time.Ms(before))), ct);

    private static string NameKey(string name) => name.Trim().ToUpperInvariant();

    private static Location ReadLocation(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Time.From(r.GetInt64(2)), MonitorColumns.Str(r, 3));

    private static ProbeInfo ReadProbe(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3), Time.From(r.GetInt64(4)), r.IsDBNull(5) ? null : Time.From(r.GetInt64(5)));
}
