using System.Text;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string EventColumns = "seq, monitor_id, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, details";

    public Task<Monitor> AddAsync(Monitor monitor, CancellationToken ct) =>
        Writer.WriteAsync(ctx => InsertMonitor(ctx, monitor));

    public async Task<Monitor?> FindAsync(string id, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = @id", MonitorColumns.Read, ("@id", id)).FirstOrDefault();
    }

    public async Task<Monitor?> FindByNameAsync(string name, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        var found = Query(connection,
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE name = @name COLLATE NOCASE OR slug = @name OR id = @name ORDER BY name = @name DESC LIMIT 1",
            MonitorColumns.Read, ("@name", name.Trim()));
        return found.FirstOrDefault();
    }

    public async Task<MonitorPage> ListAsync(MonitorQuery query, CancellationToken ct)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", query.Limit + 1) };
        if (query.Status is { } status)
        {
            where.Add("status = @status");
            parameters.Add(("@status", WireNames.Of(status)));
        }
        if (!string.IsNullOrEmpty(query.Tag))
        {
            where.Add("EXISTS (SELECT 1 FROM json_each(monitors.tags) WHERE json_each.value = @tag)");
            parameters.Add(("@tag", query.Tag));
        }
        if (!string.IsNullOrEmpty(query.Text))
        {
            where.Add("(name LIKE @q ESCAPE '\\' OR slug LIKE @q ESCAPE '\\')");
            parameters.Add(("@q", StoreEncoding.ContainsPattern(query.Text)));
        }
        if (StoreEncoding.ParseCursor(query.Cursor) is { } after)
        {
            where.Add("(name > @after_name OR (name = @after_name AND id > @after_id))");
            parameters.Add(("@after_name", after.Name));
            parameters.Add(("@after_id", after.Id));
        }
        var sql = $"SELECT {MonitorColumns.Columns} FROM monitors" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY name, id LIMIT @limit";
        await SyncAsync();
        using var connection = OpenReader();
        var rows = Query(connection, sql, MonitorColumns.Read, [.. parameters]);
        string? next = null;
        if (rows.Count > query.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = StoreEncoding.Cursor(rows[^1].Name, rows[^1].Id);
        }
        return new MonitorPage(rows, next);
    }

    public Task<Monitor?> ChangeAsync(string id, Func<Monitor, Flip> change, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            var current = FindForWrite(ctx, "id = @key", id);
            if (current is null)
            {
                return null;
            }
            var flip = change(current);
            // The one writer makes this check and the write atomic: two edits cannot close a cycle between them.
            if (!flip.Next.DependsOn.SequenceEqual(current.DependsOn)
                && Dependencies.FindCycle(flip.Next.Id, flip.Next.Name, flip.Next.DependsOn, Query(ctx, GraphQuery, ReadNode)) is { } cycle)
            {
                throw Dependencies.CycleConflict(cycle);
            }
            // An edit may change any column (name, period, token...): write the whole row first.
            try
            {
                ctx.Exec(MonitorColumns.Update, MonitorColumns.Parameters(flip.Next));
            }
            catch (SqliteException ex) when (IsUniqueViolation(ex))
            {
                throw Conflict(ex);
            }
            if (current.PushToken is { } oldToken)
            {
                ctx.MonitorsByToken.Remove(oldToken);
            }
            return Apply(ctx, current, flip, _clock.GetUtcNow());
        });

    public Task<bool> DeleteAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            if (FindForWrite(ctx, "id = @key", id)?.PushToken is { } token)
            {
                ctx.MonitorsByToken.Remove(token);
            }
            var deleted = ctx.Exec("DELETE FROM monitors WHERE id = @id", ("@id", id)) > 0;
            if (deleted)
            {
                ctx.Exec("DELETE FROM events WHERE monitor_id = @id", ("@id", id));
                ctx.Exec("DELETE FROM incidents WHERE monitor_id = @id", ("@id", id));
                ctx.Exec("DELETE FROM check_rollups WHERE monitor_id = @id", ("@id", id));
                // No monitor keeps depending on one that is gone; cached monitors would keep the old list.
                var dependants = ctx.Exec(
                    "UPDATE monitors SET depends_on = (SELECT coalesce(json_group_array(d.value), '[]') FROM json_each(monitors.depends_on) d WHERE d.value <> @id) " +
                    "WHERE depends_on <> '[]' AND EXISTS (SELECT 1 FROM json_each(monitors.depends_on) d WHERE d.value = @id)", ("@id", id));
                if (dependants > 0)
                {
                    ctx.MonitorsByToken.Clear();
                }
            }
            return deleted;
        });

    public Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            var monitor = address.Token is { } token
                ? FindByToken(ctx, token)
                : address.Slug is { } slug ? FindBySlug(ctx, slug)
                : address.MonitorId is { } id ? FindForWrite(ctx, "id = @key", id) : null;
            if (monitor is not null && address.MonitorId is not null && address.ExpectedDueAt is { } expected && monitor.DueAt != expected)
            {
                return new SignalResult(SignalOutcome.NotFound, null);
            }
            var outcome = SignalOutcome.Recorded;
            if (monitor is null)
            {
                if (address.CreateIfMissing is null)
                {
                    return new SignalResult(SignalOutcome.NotFound, null);
                }
                monitor = InsertMonitor(ctx, address.CreateIfMissing());
                outcome = SignalOutcome.Created;
            }
            // A Healthchecks ping is what the monitor's rules make of it, and is recorded as such.
            signal = monitor.PingRules.Sort(signal);
            var flip = MonitorMachine.OnSignal(monitor, signal);
            var durationMs = flip.Next.LastDurationMs != monitor.LastDurationMs ? flip.Next.LastDurationMs : signal.DurationMs;
            if (outcome == SignalOutcome.Recorded && IsRoutine(monitor, flip, signal))
            {
                Journal(ctx, signal, durationMs, flip.Next);
                Remember(ctx, flip.Next);
                return new SignalResult(outcome, flip.Next);
            }
            // The journal goes in first: folded later, an older event could take this one's ring slot.
            Fold(ctx);
            // The event takes the slot of the oldest one in the monitor's ring.
            var seq = flip.Next.EventCount;
            ctx.ExecHot(
                "INSERT OR REPLACE INTO events (monitor_id, slot, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, details) " +
                "VALUES (@m, @slot, @seq, @at, @type, @ok, @msg, @value, @ping, @exit, @duration, @body, @rid, @source, @details)",
                [
                    monitor.Id, (seq - 1) % ctx.EventRing, seq, Time.Ms(signal.At), Signal.WireName(signal.Kind), signal.Ok ? 1 : 0,
                    signal.Message, signal.Value, signal.PingMs, signal.ExitStatus, durationMs,
                    signal.Body, signal.Rid?.ToString(), signal.Source, StoreEncoding.WriteCheckDetails(signal),
                ]);
            if (signal.Kind == SignalKind.Check && signal.Location is null)
            {
                AddToRollup(ctx, monitor.Id, signal);
            }
            var next = Apply(ctx, monitor, flip, signal.At);
            return new SignalResult(outcome, next, flip.Notice is not null && next?.Channels.Count > 0);
        });

    public async Task<IReadOnlyList<MonitorEvent>> EventsAsync(string monitorId, int limit, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection,
            $"SELECT {EventColumns} FROM events WHERE monitor_id = @m ORDER BY seq DESC LIMIT @limit",
            ReadEvent, ("@m", monitorId), ("@limit", limit));
    }

    public Task<IReadOnlyList<Incident>> IncidentsAsync(string monitorId, int limit, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Incident> rows = Query(connection,
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id = @m ORDER BY id DESC LIMIT @limit",
            MonitorColumns.ReadIncident,
            ("@m", monitorId), ("@limit", limit));
        return Task.FromResult(rows);
    }

    public Task<IReadOnlyList<Monitor>> DueAsync(MonitorKind kind, DateTimeOffset now, int max, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Monitor> rows = Query(connection,
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE due_at IS NOT NULL AND due_at <= @now AND kind = @kind ORDER BY due_at LIMIT @max",
            MonitorColumns.Read, ("@now", Time.Ms(now)), ("@kind", WireNames.Of(kind)), ("@max", max));
        return Task.FromResult(rows);
    }

    public Task<IReadOnlyList<Monitor>> DueBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<Monitor> rows = Query(connection,
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE due_at IS NOT NULL AND due_at BETWEEN @from AND @to",
            MonitorColumns.Read, ("@from", Time.Ms(from)), ("@to", Time.Ms(to)));
        return Task.FromResult(rows);
    }

    public Task<IReadOnlyList<Flip>> FlipAsync(IReadOnlyList<Monitor> candidates, Func<Monitor, Flip?> decide, CancellationToken ct) =>
        Writer.WriteAsync<IReadOnlyList<Flip>>(ctx =>
        {
            var now = _clock.GetUtcNow();
            var applied = new List<Flip>();
            foreach (var candidate in candidates)
            {
                // The candidate was read outside the writer: decide on the monitor as it is now.
                var current = candidate.PushToken is { } token ? FindByToken(ctx, token) : null;
                if (current is null || current.Id != candidate.Id)
                {
                    current = FindForWrite(ctx, "id = @key", candidate.Id);
                }
                if (current is null || decide(current) is not { } flip)
                {
                    continue;
                }
                Apply(ctx, current, flip, now);
                applied.Add(flip);
            }
            return applied;
        });

    /// <summary>
    /// Events live in a ring per monitor (migration 0004), which keeps the last
    /// <see cref="SqliteOptions.EventsKept"/> by itself; only a smaller <paramref name="keep"/>
    /// leaves anything to delete.
    /// </summary>
    public Task<int> PruneEventsAsync(int keep, int maxMonitors, CancellationToken ct) =>
        keep >= _options.EventsKept ? Task.FromResult(0) : Writer.WriteAsync(ctx =>
        {
            Fold(ctx);
            return ctx.Exec(
                "DELETE FROM events WHERE (monitor_id, seq) IN (SELECT e.monitor_id, e.seq FROM events e JOIN monitors m ON m.id = e.monitor_id " +
                "WHERE e.seq <= m.event_count - @keep LIMIT @max)",
                ("@keep", keep), ("@max", maxMonitors * 100));
        });

    public Task<int> PruneHistoryAsync(DateTimeOffset before, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            var cutoff = Time.Ms(before);
            return ctx.Exec("DELETE FROM deliveries WHERE at < @t", ("@t", cutoff))
                + ctx.Exec("DELETE FROM outbox WHERE state <> 'pending' AND created_at < @t", ("@t", cutoff))
                + ctx.Exec("DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < @t", ("@t", cutoff))
                + ctx.Exec("DELETE FROM check_rollups WHERE hour < @t", ("@t", cutoff));
        });

    public Task<IReadOnlyDictionary<MonitorStatus, int>> CountByStatusAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        var counts = Enum.GetValues<MonitorStatus>().ToDictionary(s => s, _ => 0);
        foreach (var (status, count) in Query(connection, "SELECT status, count(*) FROM monitors GROUP BY status", r => (r.GetString(0), r.GetInt32(1))))
        {
            if (WireNames.TryParseStatus(status, out var s))
            {
                counts[s] = count;
            }
        }
        return Task.FromResult<IReadOnlyDictionary<MonitorStatus, int>>(counts);
    }

    /// <summary>Most monitors kept in the writer's cache; past this it starts again empty.</summary>
    private const int MaxCachedMonitors = 200_000;

    private static Monitor? FindByToken(WriteContext ctx, string token)
    {
        if (ctx.MonitorsByToken.TryGetValue(token, out var cached))
        {
            return cached;
        }
        var monitor = FindForWrite(ctx, "push_token = @key", token);
        if (monitor is not null)
        {
            Remember(ctx, monitor);
        }
        return monitor;
    }

    // A slug leads to the token, which no ping changes: the monitor then comes from the cache,
    // without folding the journal for every slug ping.
    private static Monitor? FindBySlug(WriteContext ctx, string slug) =>
        ctx.Scalar("SELECT push_token FROM monitors WHERE slug = @slug", ("@slug", slug)) is string token
            ? FindByToken(ctx, token)
            : FindForWrite(ctx, "slug = @key", slug);

    private static void Remember(WriteContext ctx, Monitor monitor)
    {
        if (monitor.PushToken is not { } token)
        {
            return;
        }
        if (ctx.MonitorsByToken.Count >= MaxCachedMonitors)
        {
            ctx.MonitorsByToken.Clear();
        }
        ctx.MonitorsByToken[token] = monitor;
    }

    /// <summary>Reads a monitor's row in the writer, after folding the journal so the row is current.</summary>
    private static Monitor? FindForWrite(WriteContext ctx, string where, string key)
    {
        Fold(ctx);
        using var reader = ctx.Command($"SELECT {MonitorColumns.Columns} FROM monitors WHERE {where}", ("@key", key)).ExecuteReader();
        return reader.Read() ? MonitorColumns.Read(reader) : null;
    }

    /// <summary>Inserts a monitor, with a badge key given here when it has none; returns it as stored.</summary>
    private static Monitor InsertMonitor(WriteContext ctx, Monitor monitor)
    {
        monitor = MonitorColumns.WithBadgeKey(monitor);
        try
        {
            ctx.Exec(MonitorColumns.Insert, MonitorColumns.Parameters(monitor));
            return monitor;
        }
        catch (SqliteException ex) when (IsUniqueViolation(ex))
        {
            throw Conflict(ex);
        }
    }

    private static ConflictException Conflict(SqliteException ex) =>
        ex.Message.Contains("slug", StringComparison.Ordinal) ? new ConflictException("slug", "another monitor has this slug")
        : ex.Message.Contains("push_token", StringComparison.Ordinal) ? new ConflictException("pushToken", "another monitor has this push token")
        : new ConflictException("id", "a monitor with this id exists");

    /// <summary>
    /// Writes a flip decided on <paramref name="before"/> as the writer holds it now: the monitor's
    /// state columns, then the incident change and one outbox row per channel for its notice, all in
    /// the caller's transaction.
    /// </summary>
    private static Monitor? Apply(WriteContext ctx, Monitor before, Flip flip, DateTimeOffset now)
    {
        // A fold after this write would put the journal's older state back.
        Fold(ctx);
        var decided = flip.Next;
        flip = SettleHolds(ctx, before, flip);
        var next = flip.Next;
        if (flip.Incident == IncidentChange.Close)
        {
            next = next with { OpenIncidentId = null };
        }
        var updated = next.DueAt == before.DueAt
            ? ctx.ExecHot(MonitorRows.UpdateStateKeepDue, MonitorRows.StateValues(next, withDueAt: false))
            : ctx.ExecHot(MonitorColumns.UpdateState, MonitorRows.StateValues(next, withDueAt: true));
        if (updated == 0)
        {
            // Deleted meanwhile: whatever is cached for it is stale.
            if (before.PushToken is { } stale)
            {
                ctx.MonitorsByToken.Remove(stale);
            }
            return null;
        }
        if (MonitorColumns.HoldChanged(next, before) || MonitorColumns.HoldChanged(next, decided))
        {
            ctx.Exec(MonitorColumns.UpdateHold, MonitorColumns.HoldParameters(next));
        }
        var at = flip.Notice?.At ?? now;
        if (flip.Incident == IncidentChange.Open)
        {
            var incidentId = (long)ctx.Scalar(
                "INSERT INTO incidents (monitor_id, started_at, reason, suppressed_by) VALUES (@m, @at, @reason, @held) RETURNING id",
                ("@m", next.Id), ("@at", Time.Ms(at)), ("@reason", flip.IncidentReason ?? "down"), ("@held", Dependencies.HeldBy(next)))!;
            ctx.Exec("UPDATE monitors SET open_incident_id = @i WHERE id = @m", ("@i", incidentId), ("@m", next.Id));
            next = next with { OpenIncidentId = incidentId };
        }
        else if (flip.Incident == IncidentChange.Close && before.OpenIncidentId is { } open)
        {
            ctx.Exec("UPDATE incidents SET ended_at = @at WHERE id = @i", ("@at", Time.Ms(at)), ("@i", open));
        }
        else if (next.OpenIncidentId is { } acked && (next.AcknowledgedAt != before.AcknowledgedAt || next.AcknowledgedBy != before.AcknowledgedBy))
        {
            ctx.Exec("UPDATE incidents SET acked_by = @by, acked_at = @at WHERE id = @i",
                ("@by", next.AcknowledgedBy), ("@at", Time.Ms(next.AcknowledgedAt)), ("@i", acked));
        }
        if (flip.Incident == IncidentChange.None && next.OpenIncidentId is { } waited && Dependencies.IsAwaitingParents(before) && Dependencies.HeldBy(next) is { } parent)
        {
            // It waited for its parents, and one of them turned out to be down.
            ctx.Exec("UPDATE incidents SET suppressed_by = @p WHERE id = @i", ("@p", parent), ("@i", waited));
        }
        if (!flip.Held && Hold(ctx, before, flip, next) is { } notice)
        {
            // "Since when" for recoveries and reminders: the start of the incident they belong to.
            var startedAt = notice.IncidentStartedAt ?? (before.OpenIncidentId is { } incident
                ? Time.From((long?)ctx.Scalar("SELECT started_at FROM incidents WHERE id = @i", ("@i", incident)))
                : null);
            notice = notice with { IncidentStartedAt = startedAt };
            foreach (var channel in next.Channels)
            {
                EnqueueNotice(ctx, channel, notice, now);
            }
        }
        Remember(ctx, next);
        return next;
    }

    private static MonitorEvent ReadEvent(SqliteDataReader r) => StoreEncoding.ReadCheckDetails(MonitorColumns.Str(r, 13), new(
        r.GetInt64(0),
        r.GetString(1),
        Time.From(r.GetInt64(2)),
        StoreEncoding.ParseSignalKind(r.GetString(3)),
        r.GetInt64(4) != 0,
        MonitorColumns.Str(r, 5),
        r.IsDBNull(6) ? null : r.GetDouble(6),
        r.IsDBNull(7) ? null : r.GetDouble(7),
        r.IsDBNull(8) ? null : r.GetInt32(8),
        MonitorColumns.Long(r, 9),
        MonitorColumns.Str(r, 10),
        MonitorColumns.Str(r, 11) is { } rid ? Guid.Parse(rid) : null,
        MonitorColumns.Str(r, 12)));
}
