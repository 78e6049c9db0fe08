using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

/// <summary>Reads for pages of many monitors: each takes all the ids at once, as a JSON array bound to one parameter.</summary>
public sealed partial class SqliteStore : IMonitorOverviewStore
{
    private const string IdsIn = "(SELECT value FROM json_each(@ids))";

    public async Task<IReadOnlyList<Monitor>> FindManyAsync(IReadOnlyCollection<string> monitorIds, CancellationToken ct)
    {
        if (monitorIds.Count == 0)
        {
            return [];
        }
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id IN {IdsIn}", MonitorColumns.Read, ("@ids", Ids(monitorIds)));
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<MonitorEvent>>> RecentEventsAsync(IReadOnlyCollection<string> monitorIds, int perMonitor, CancellationToken ct)
    {
        if (monitorIds.Count == 0 || perMonitor < 1)
        {
            return new Dictionary<string, IReadOnlyList<MonitorEvent>>();
        }
        await SyncAsync();
        using var connection = OpenReader();
        // The ring holds each monitor's events by number: the newest N are those above event_count - N.
        var rows = Query(connection,
            "SELECT e.seq, e.monitor_id, e.at, e.type, e.ok, e.msg, e.value, e.ping, e.exit_status, e.duration_ms, NULL, e.rid, e.source, e.details " +
            $"FROM monitors m JOIN events e ON e.monitor_id = m.id WHERE m.id IN {IdsIn} AND e.seq > m.event_count - @n ORDER BY e.monitor_id, e.seq DESC",
            ReadEvent, ("@ids", Ids(monitorIds)), ("@n", perMonitor));
        return rows.GroupBy(e => e.MonitorId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<MonitorEvent>)[.. g.Take(perMonitor)], StringComparer.Ordinal);
    }

    public Task<IReadOnlyList<Incident>> IncidentsBetweenAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (monitorIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<Incident>>([]);
        }
        using var connection = OpenReader();
        IReadOnlyList<Incident> rows = Query(connection,
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id IN {IdsIn} AND started_at < @to AND (ended_at IS NULL OR ended_at >= @from) ORDER BY id",
            MonitorColumns.ReadIncident, ("@ids", Ids(monitorIds)), ("@from", Time.Ms(from)), ("@to", Time.Ms(to)));
        return Task.FromResult(rows);
    }

    public async Task<IReadOnlyList<MonitorEvent>> EventsBeforeAsync(string monitorId, long? beforeId, int limit, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection,
            $"SELECT {EventColumns} FROM events WHERE monitor_id = @m AND seq < @before ORDER BY seq DESC LIMIT @limit",
            ReadEvent, ("@m", monitorId), ("@before", beforeId ?? long.MaxValue), ("@limit", limit));
    }

    public Task<IReadOnlyList<SentNotice>> NoticesAsync(string monitorId, int limit, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<SentNotice> rows = Query(connection,
            "SELECT o.id, o.delivery_id, o.channel_id, c.name, c.kind, o.notice_type, o.created_at, o.state, o.attempts, o.last_error, o.sent_at " +
            "FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id WHERE o.monitor_id = @m ORDER BY o.id DESC LIMIT @limit",
            ReadNotice, ("@m", monitorId), ("@limit", limit));
        return Task.FromResult(rows);
    }

    private static string Ids(IReadOnlyCollection<string> ids) => JsonSerializer.Serialize(ids);

    private static SentNotice ReadNotice(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), MonitorColumns.Str(r, 3), MonitorColumns.Str(r, 4), r.GetString(5),
        Time.From(r.GetInt64(6)), StoreEncoding.ParseState(r.GetString(7)), r.GetInt32(8), MonitorColumns.Str(r, 9), Time.From(MonitorColumns.Long(r, 10)));
}
