using System.Data.Common;
using System.Text;
using Npgsql;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string EventColumns = "seq, monitor_id, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, details";

    public Task<Monitor> AddAsync(Monitor monitor, CancellationToken ct) =>
        InTransactionAsync(s => InsertMonitorAsync(s, monitor), ct);

    public Task<Monitor?> FindAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = @id", MonitorColumns.Read, ("@id", id))).FirstOrDefault(), ct);

    public Task<Monitor?> FindByNameAsync(string name, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE lower(name) = lower(@name) OR slug = @name OR id = @name ORDER BY name = @name DESC LIMIT 1",
            MonitorColumns.Read, ("@name", name.Trim()))).FirstOrDefault(), ct);

    public async Task<MonitorPage> ListAsync(MonitorQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", query.Limit + 1) };
        if (query.Status is { } status)
        {
            where.Add("status = @status");
            parameters.Add(("@status", WireNames.Of(status)));
        }
        if (!string.IsNullOrEmpty(query.Tag))
        {
            where.Add("tags::jsonb ? @tag");
            parameters.Add(("@tag", query.Tag));
        }
        if (!string.IsNullOrEmpty(query.Text))
        {
            where.Add("(name ILIKE @q ESCAPE '\\' OR slug ILIKE @q ESCAPE '\\')");
            parameters.Add(("@q", StoreEncoding.ContainsPattern(query.Text)));
        }
        if (StoreEncoding.ParseCursor(query.Cursor) is { } after)
        {
            where.Add("(name, id) > (@after_name, @after_id)");
            parameters.Add(("@after_name", after.Name));
            parameters.Add(("@after_id", after.Id));
        }
        var sql = $"SELECT {MonitorColumns.Columns} FROM monitors" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY name, id LIMIT @limit";
        var rows = await ReadAsync(s => s.QueryAsync(sql, MonitorColumns.Read, [.. parameters]), ct);
        string? next = null;
        if (rows.Count > query.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = StoreEncoding.Cursor(rows[^1].Name, rows[^1].Id);
        }
        return new MonitorPage(rows, next);
    }

    public Task<Monitor?> ChangeAsync(string id, Func<Monitor, Flip> change, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            var current = await FindForUpdateAsync(s, "id = @key", id);
            if (current is null)
            {
                return null;
            }
            var flip = change(current);
            if (!flip.Next.DependsOn.SequenceEqual(current.DependsOn))
            {
                // Edits of the graph take turns (the lock is held to the commit), and each reads the
                // graph as the one before it left it: two edits cannot close a cycle between them.
                await s.ExecAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", DependencyGraphLock));
                if (Dependencies.FindCycle(flip.Next.Id, flip.Next.Name, flip.Next.DependsOn, await s.QueryAsync(GraphQuery, ReadNode)) is { } cycle)
                {
                    throw Dependencies.CycleConflict(cycle);
                }
            }
            // An edit may change any column (name, period, token...): write the whole row first.
            try
            {
                await s.ExecAsync(MonitorColumns.Update, MonitorColumns.Parameters(flip.Next));
            }
            catch (PostgresException ex) when (IsUniqueViolation(ex))
            {
                throw Conflict(ex);
            }
            return await ApplyAsync(s, current, flip, _clock.GetUtcNow());
        }, ct);

    public Task<bool> DeleteAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            var deleted = await s.ExecAsync("DELETE FROM monitors WHERE id = @id", ("@id", id)) > 0;
            if (deleted)
            {
                await s.ExecAsync("DELETE FROM events WHERE monitor_id = @id", ("@id", id));
                await s.ExecAsync("DELETE FROM incidents WHERE monitor_id = @id", ("@id", id));
                await s.ExecAsync("DELETE FROM check_rollups WHERE monitor_id = @id", ("@id", id));
                // No monitor keeps depending on one that is gone.
                await s.ExecAsync(
                    "UPDATE monitors SET depends_on = (SELECT coalesce(json_agg(d.value ORDER BY d.n), '[]'::json)::text " +
                    "FROM json_array_elements_text(monitors.depends_on::json) WITH ORDINALITY AS d(value, n) WHERE d.value <> @id) " +
                    "WHERE depends_on <> '[]' AND EXISTS (SELECT 1 FROM json_array_elements_text(monitors.depends_on::json) AS d(value) WHERE d.value = @id)", ("@id", id));
            }
            return deleted;
        }, ct);

    /// <summary>Records one signal in a transaction of its own (see <see cref="RecordAsync"/> for the batched way).</summary>
    private Task<SignalResult> RecordAloneAsync(SignalAddress address, Signal signal, CancellationToken ct)
    {
        return InTransactionAsync(async s =>
        {
            // The row stays locked until the commit: signals to one monitor are applied one after another.
            var monitor = address.Token is { } token ? await FindForUpdateAsync(s, "push_token = @key", token)
                : address.Slug is { } slug ? await FindForUpdateAsync(s, "slug = @key", slug)
                : address.MonitorId is { } id ? await FindForUpdateAsync(s, "id = @key", id)
                : null;
            if (monitor is not null && address.MonitorId is not null && address.ExpectedDueAt is { } expected && monitor.DueAt != expected)
            {
                return new SignalResult(SignalOutcome.NotFound, null);
            }
            var outcome = SignalOutcome.Recorded;
            if (monitor is null && address.Slug is { } missing && address.CreateIfMissing is { } create)
            {
                // Two servers may create the same slug at once: the loser records against the winner's monitor.
                var created = MonitorColumns.WithBadgeKey(create());
                var inserted = await s.ScalarAsync(
                    MonitorColumns.Insert + " ON CONFLICT (slug) DO NOTHING RETURNING id", MonitorColumns.Parameters(created)) is not null;
                monitor = inserted ? created : await FindForUpdateAsync(s, "slug = @key", missing);
                outcome = inserted ? SignalOutcome.Created : SignalOutcome.Recorded;
            }
            else if (monitor is null && address.CreateIfMissing is { } createAny)
            {
                monitor = await InsertMonitorAsync(s, createAny());
                outcome = SignalOutcome.Created;
            }
            if (monitor is null)
            {
                return new SignalResult(SignalOutcome.NotFound, null);
            }
            // A Healthchecks ping is what the monitor's rules make of it, and is recorded as such.
            signal = monitor.PingRules.Sort(signal);
            var flip = MonitorMachine.OnSignal(monitor, signal);
            await s.ExecAsync(UpsertEvent, EventParameters(monitor, flip, signal));
            if (signal.Kind == SignalKind.Check && signal.Location is null)
            {
                await AddToRollupAsync(s, monitor.Id, signal);
            }
            var next = await ApplyAsync(s, monitor, flip, signal.At);
            return new SignalResult(outcome, next, flip.Notice is not null && next?.Channels.Count > 0);
        }, ct);
    }

    public Task<IReadOnlyList<MonitorEvent>> EventsAsync(string monitorId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<MonitorEvent>>(async s => await s.QueryAsync(
            $"SELECT {EventColumns} FROM events WHERE monitor_id = @m ORDER BY seq DESC LIMIT @limit",
            ReadEvent, ("@m", monitorId), ("@limit", limit)), ct);

    public Task<IReadOnlyList<Incident>> IncidentsAsync(string monitorId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Incident>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id = @m ORDER BY id DESC LIMIT @limit",
            MonitorColumns.ReadIncident,
            ("@m", monitorId), ("@limit", limit)), ct);

    /// <summary>Due monitors of the shards this node sweeps (<see cref="NodeShare"/>): all of them when it is alone.</summary>
    public Task<IReadOnlyList<Monitor>> DueAsync(MonitorKind kind, DateTimeOffset now, int max, CancellationToken ct)
    {
        var shards = _share.Shards;
        if (shards is { Count: 0 })
        {
            return Task.FromResult<IReadOnlyList<Monitor>>([]);
        }
        (string, object?)[] parameters = [("@now", Time.Ms(now)), ("@kind", WireNames.Of(kind)), ("@max", max)];
        if (shards is not null)
        {
            parameters = [.. parameters, ("@shards", shards.Select(x => (short)x).ToArray())];
        }
        return ReadAsync<IReadOnlyList<Monitor>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE due_at IS NOT NULL AND due_at <= @now AND kind = @kind " +
            (shards is null ? "" : "AND shard = ANY(@shards) ") + "ORDER BY due_at LIMIT @max",
            MonitorColumns.Read, parameters), ct);
    }

    public Task<IReadOnlyList<Monitor>> DueBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Monitor>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE due_at IS NOT NULL AND due_at BETWEEN @from AND @to",
            MonitorColumns.Read, ("@from", Time.Ms(from)), ("@to", Time.Ms(to))), ct);

    public Task<IReadOnlyList<Flip>> FlipAsync(IReadOnlyList<Monitor> candidates, Func<Monitor, Flip?> decide, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(decide);
        return InTransactionAsync<IReadOnlyList<Flip>>(async s =>
        {
            var now = _clock.GetUtcNow();
            // The candidates were read outside this transaction: lock them as they are now, in id
            // order so that two servers flipping overlapping sets cannot deadlock, and decide on that.
            var ids = candidates.Select(c => c.Id).Distinct().ToArray();
            var current = (await s.QueryAsync(
                    $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = ANY(@ids) ORDER BY id FOR UPDATE",
                    MonitorColumns.Read, ("@ids", ids)))
                .ToDictionary(m => m.Id, StringComparer.Ordinal);
            var applied = new List<Flip>();
            foreach (var candidate in candidates)
            {
                if (!current.TryGetValue(candidate.Id, out var monitor) || decide(monitor) is not { } flip)
                {
                    continue;
                }
                current[candidate.Id] = await ApplyAsync(s, monitor, flip, now) ?? monitor;
                applied.Add(flip);
            }
            return applied;
        }, ct);
    }

    /// <summary>
    /// Events live in a ring per monitor, which keeps the last <see cref="PostgresOptions.EventsKept"/>
    /// by itself; only a smaller <paramref name="keep"/> leaves anything to delete.
    /// </summary>
    public Task<int> PruneEventsAsync(int keep, int maxMonitors, CancellationToken ct) =>
        keep >= _options.EventsKept ? Task.FromResult(0) : InTransactionAsync(s => s.ExecAsync(
            "DELETE FROM events WHERE (monitor_id, slot) IN (SELECT e.monitor_id, e.slot FROM events e JOIN monitors m ON m.id = e.monitor_id " +
            "WHERE e.seq <= m.event_count - @keep LIMIT @max)",
            ("@keep", keep), ("@max", maxMonitors * 100)), ct);

    public Task<int> PruneHistoryAsync(DateTimeOffset before, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            var cutoff = Time.Ms(before);
            return await s.ExecAsync("DELETE FROM deliveries WHERE at < @t", ("@t", cutoff))
                + await s.ExecAsync("DELETE FROM outbox WHERE state <> 'pending' AND created_at < @t", ("@t", cutoff))
                + await s.ExecAsync("DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < @t", ("@t", cutoff))
                + await s.ExecAsync("DELETE FROM check_rollups WHERE hour < @t", ("@t", cutoff));
        }, ct);

    public async Task<IReadOnlyDictionary<MonitorStatus, int>> CountByStatusAsync(CancellationToken ct)
    {
        var counts = Enum.GetValues<MonitorStatus>().ToDictionary(s => s, _ => 0);
        foreach (var (status, count) in await ReadAsync(s => s.QueryAsync("SELECT status, count(*) FROM monitors GROUP BY status", r => (r.GetString(0), r.GetInt64(1))), ct))
        {
            if (WireNames.TryParseStatus(status, out var parsed))
            {
                counts[parsed] = (int)count;
            }
        }
        return counts;
    }

    /// <summary>Reads a monitor's row and locks it until the transaction ends.</summary>
    private static async Task<Monitor?> FindForUpdateAsync(Session s, string where, string key) =>
        (await s.QueryAsync($"SELECT {MonitorColumns.Columns} FROM monitors WHERE {where} FOR UPDATE", MonitorColumns.Read, ("@key", key))).FirstOrDefault();

    /// <summary>Inserts a monitor, with a badge key given here when it has none; returns it as stored.</summary>
    private static async Task<Monitor> InsertMonitorAsync(Session s, Monitor monitor)
    {
        monitor = MonitorColumns.WithBadgeKey(monitor);
        try
        {
            await s.ExecAsync(MonitorColumns.Insert, MonitorColumns.Parameters(monitor));
            return monitor;
        }
        catch (PostgresException ex) when (IsUniqueViolation(ex))
        {
            throw Conflict(ex);
        }
    }

    private static ConflictException Conflict(PostgresException ex) =>
        ex.ConstraintName?.Contains("slug", StringComparison.Ordinal) == true ? new ConflictException("slug", "another monitor has this slug")
        : ex.ConstraintName?.Contains("push_token", StringComparison.Ordinal) == true ? new ConflictException("pushToken", "another monitor has this push token")
        : new ConflictException("id", "a monitor with this id exists");

    /// <summary>
    /// Writes a flip decided on <paramref name="before"/> (read locked in this transaction): the
    /// monitor's state columns, then the incident change and one outbox row per channel for its
    /// notice, all in the caller's transaction.
    /// </summary>
    private static async Task<Monitor?> ApplyAsync(Session s, Monitor before, Flip flip, DateTimeOffset now)
    {
        var decided = flip.Next;
        flip = await SettleHoldsAsync(s, before, flip);
        var next = flip.Next;
        if (flip.Incident == IncidentChange.Close)
        {
            next = next with { OpenIncidentId = null };
        }
        if (await s.ExecAsync(MonitorColumns.UpdateState, MonitorRows.StateParameters(next)) == 0)
        {
            return null;
        }
        if (MonitorColumns.HoldChanged(next, before) || MonitorColumns.HoldChanged(next, decided))
        {
            await s.ExecAsync(MonitorColumns.UpdateHold, MonitorColumns.HoldParameters(next));
        }
        var at = flip.Notice?.At ?? now;
        if (flip.Incident == IncidentChange.Open)
        {
            var incidentId = (long)(await s.ScalarAsync(
                "INSERT INTO incidents (monitor_id, started_at, reason, suppressed_by) VALUES (@m, @at, @reason, @held) RETURNING id",
                ("@m", next.Id), ("@at", Time.Ms(at)), ("@reason", flip.IncidentReason ?? "down"), ("@held", Dependencies.HeldBy(next))))!;
            await s.ExecAsync("UPDATE monitors SET open_incident_id = @i WHERE id = @m", ("@i", incidentId), ("@m", next.Id));
            next = next with { OpenIncidentId = incidentId };
        }
        else if (flip.Incident == IncidentChange.Close && before.OpenIncidentId is { } open)
        {
            await s.ExecAsync("UPDATE incidents SET ended_at = @at WHERE id = @i", ("@at", Time.Ms(at)), ("@i", open));
        }
        else if (next.OpenIncidentId is { } acked && (next.AcknowledgedAt != before.AcknowledgedAt || next.AcknowledgedBy != before.AcknowledgedBy))
        {
            await s.ExecAsync("UPDATE incidents SET acked_by = @by, acked_at = @at WHERE id = @i",
                ("@by", next.AcknowledgedBy), ("@at", Time.Ms(next.AcknowledgedAt)), ("@i", acked));
        }
        if (flip.Incident == IncidentChange.None && next.OpenIncidentId is { } waited && Dependencies.IsAwaitingParents(before) && Dependencies.HeldBy(next) is { } parent)
        {
            // It waited for its parents, and one of them turned out to be down.
            await s.ExecAsync("UPDATE incidents SET suppressed_by = @p WHERE id = @i", ("@p", parent), ("@i", waited));
        }
        if (!flip.Held && await HoldAsync(s, before, flip, next) is { } notice)
        {
            // "Since when" for recoveries and reminders: the start of the incident they belong to.
            var startedAt = notice.IncidentStartedAt ?? (before.OpenIncidentId is { } incident
                ? Time.From((long?)await s.ScalarAsync("SELECT started_at FROM incidents WHERE id = @i", ("@i", incident)))
                : null);
            notice = notice with { IncidentStartedAt = startedAt };
            foreach (var channel in next.Channels)
            {
                await EnqueueNoticeAsync(s, channel, notice, now);
            }
        }
        return next;
    }

    private static MonitorEvent ReadEvent(DbDataReader r) => StoreEncoding.ReadCheckDetails(MonitorColumns.Str(r, 13), new(
        r.GetInt64(0),
        r.GetString(1),
        Time.From(r.GetInt64(2)),
        StoreEncoding.ParseSignalKind(r.GetString(3)),
        r.GetBoolean(4),
        MonitorColumns.Str(r, 5),
        r.IsDBNull(6) ? null : r.GetDouble(6),
        r.IsDBNull(7) ? null : r.GetDouble(7),
        r.IsDBNull(8) ? null : r.GetInt32(8),
        MonitorColumns.Long(r, 9),
        MonitorColumns.Str(r, 10),
        MonitorColumns.Str(r, 11) is { } rid ? Guid.Parse(rid) : null,
        MonitorColumns.Str(r, 12)));
}
