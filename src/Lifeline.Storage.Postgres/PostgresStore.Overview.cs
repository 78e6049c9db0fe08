using System.Data.Common;

namespace Lifeline.Storage.Postgres;

/// <summary>Reads for pages of many monitors: each takes all the ids at once, as one text array parameter.</summary>
public sealed partial class PostgresStore : IMonitorOverviewStore
{
    public Task<IReadOnlyList<Monitor>> FindManyAsync(IReadOnlyCollection<string> monitorIds, CancellationToken ct) =>
        monitorIds.Count == 0 ? Task.FromResult<IReadOnlyList<Monitor>>([]) :
        ReadAsync<IReadOnlyList<Monitor>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = ANY(@ids)", MonitorColumns.Read, ("@ids", monitorIds.ToArray())), ct);

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<MonitorEvent>>> RecentEventsAsync(IReadOnlyCollection<string> monitorIds, int perMonitor, CancellationToken ct)
    {
        if (monitorIds.Count == 0 || perMonitor < 1)
        {
            return new Dictionary<string, IReadOnlyList<MonitorEvent>>();
        }
        // The ring holds each monitor's events by number: the newest N are those above event_count - N.
        var rows = await ReadAsync(s => s.QueryAsync(
            "SELECT e.seq, e.monitor_id, e.at, e.type, e.ok, e.msg, e.value, e.ping, e.exit_status, e.duration_ms, NULL, e.rid, e.source, e.details " +
            "FROM monitors m JOIN events e ON e.monitor_id = m.id WHERE m.id = ANY(@ids) AND e.seq > m.event_count - @n ORDER BY e.monitor_id, e.seq DESC",
            ReadEvent, ("@ids", monitorIds.ToArray()), ("@n", (long)perMonitor)), ct);
        return rows.GroupBy(e => e.MonitorId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<MonitorEvent>)[.. g.Take(perMonitor)], StringComparer.Ordinal);
    }

    public Task<IReadOnlyList<Incident>> IncidentsBetweenAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        monitorIds.Count == 0 ? Task.FromResult<IReadOnlyList<Incident>>([]) :
        ReadAsync<IReadOnlyList<Incident>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id = ANY(@ids) AND started_at < @to AND (ended_at IS NULL OR ended_at >= @from) ORDER BY id",
            MonitorColumns.ReadIncident, ("@ids", monitorIds.ToArray()), ("@from", Time.Ms(from)), ("@to", Time.Ms(to))), ct);

    public Task<IReadOnlyList<MonitorEvent>> EventsBeforeAsync(string monitorId, long? beforeId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<MonitorEvent>>(async s => await s.QueryAsync(
            $"SELECT {EventColumns} FROM events WHERE monitor_id = @m AND seq < @before ORDER BY seq DESC LIMIT @limit",
            ReadEvent, ("@m", monitorId), ("@before", beforeId ?? long.MaxValue), ("@limit", limit)), ct);

    public Task<IReadOnlyList<SentNotice>> NoticesAsync(string monitorId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<SentNotice>>(async s => await s.QueryAsync(
            "SELECT o.id, o.delivery_id, o.channel_id, c.name, c.kind, o.notice_type, o.created_at, o.state, o.attempts, o.last_error, o.sent_at " +
            "FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id WHERE o.monitor_id = @m ORDER BY o.id DESC LIMIT @limit",
            ReadNotice, ("@m", monitorId), ("@limit", limit)), ct);

    private static SentNotice ReadNotice(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), MonitorColumns.Str(r, 3), MonitorColumns.Str(r, 4), r.GetString(5),
        Time.From(r.GetInt64(6)), StoreEncoding.ParseState(r.GetString(7)), r.GetInt32(8), MonitorColumns.Str(r, 9), Time.From(MonitorColumns.Long(r, 10)));
}
