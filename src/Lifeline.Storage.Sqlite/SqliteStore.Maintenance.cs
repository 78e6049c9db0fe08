using System.Text.Json;

namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore : IMaintenanceStore
{
    private const string OccurrenceColumns = "window_id, starts_at, ends_at";

    public Task AddWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(occurrences);
        return Writer.WriteAsync(ctx =>
        {
            ctx.Exec(MaintenanceColumns.Insert, MaintenanceColumns.Parameters(window));
            InsertOccurrences(ctx, occurrences);
            return true;
        });
    }

    public Task<MaintenanceWindow?> FindWindowAsync(string id, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {MaintenanceColumns.Columns} FROM maintenance WHERE id = @id", MaintenanceColumns.Read, ("@id", id)).FirstOrDefault());
    }

    public Task<IReadOnlyList<MaintenanceWindow>> WindowsAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<MaintenanceWindow> rows = Query(connection, $"SELECT {MaintenanceColumns.Columns} FROM maintenance ORDER BY name, id", MaintenanceColumns.Read);
        return Task.FromResult(rows);
    }

    public Task<bool> UpdateWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(occurrences);
        return Writer.WriteAsync(ctx =>
        {
            if (ctx.Exec(MaintenanceColumns.Update, MaintenanceColumns.Parameters(window)) == 0)
            {
                return false;
            }
            var id = ("@w", (object?)window.Id);
            var at = ("@now", (object?)Time.Ms(now));
            ctx.Exec("DELETE FROM maintenance_occurrences WHERE window_id = @w AND started = 0 AND (ends_at IS NULL OR ends_at > @now)", id, at);
            // An occurrence that paused monitors stays, so that its end resumes them.
            foreach (var start in Query(ctx, "SELECT starts_at FROM maintenance_occurrences WHERE window_id = @w AND started = 1 AND finished = 0", r => r.GetInt64(0), id))
            {
                var match = occurrences.FirstOrDefault(o => Time.Ms(o.StartsAt) == start);
                ctx.Exec("UPDATE maintenance_occurrences SET ends_at = @end WHERE window_id = @w AND starts_at = @s",
                    id, ("@s", start), ("@end", match is null ? Time.Ms(now) : Time.Ms(match.EndsAt)));
            }
            InsertOccurrences(ctx, occurrences);
            return true;
        });
    }

    public Task<bool> DeleteWindowAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            if (ctx.Scalar("SELECT 1 FROM maintenance WHERE id = @w", ("@w", id)) is null)
            {
                return false;
            }
            foreach (var paused in Query(ctx, "SELECT paused FROM maintenance_occurrences WHERE window_id = @w AND started = 1 AND finished = 0", r => r.GetString(0), ("@w", id)))
            {
                ResumeAll(ctx, paused, now);
            }
            ctx.Exec("DELETE FROM maintenance_occurrences WHERE window_id = @w", ("@w", id));
            ctx.Exec("DELETE FROM maintenance WHERE id = @w", ("@w", id));
            return true;
        });

    public Task<bool> EndOccurrenceAsync(string windowId, DateTimeOffset now, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec(
            "UPDATE maintenance_occurrences SET ends_at = @now WHERE window_id = @w AND starts_at <= @now AND (ends_at IS NULL OR ends_at > @now)",
            ("@w", windowId), ("@now", Time.Ms(now))) > 0);

    public Task AddOccurrencesAsync(IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        return Writer.WriteAsync(ctx =>
        {
            InsertOccurrences(ctx, occurrences);
            return true;
        });
    }

    public Task<IReadOnlyList<MaintenanceState>> InForceAsync(DateTimeOffset at, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<MaintenanceState> rows = Query(connection,
            $"SELECT {MaintenanceColumns.Aliased("w")}, o.{OccurrenceColumns.Replace(", ", ", o.", StringComparison.Ordinal)} " +
            "FROM maintenance_occurrences o JOIN maintenance w ON w.id = o.window_id " +
            "WHERE o.starts_at <= @at AND (o.ends_at IS NULL OR o.ends_at > @at) ORDER BY w.name, w.id, o.starts_at",
            r => new MaintenanceState(MaintenanceColumns.Read(r), ReadOccurrence(r, 12)), ("@at", Time.Ms(at)));
        return Task.FromResult(rows);
    }

    public Task<int> StartPausesAsync(DateTimeOffset now, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            // Occurrences starting, and running ones: a monitor that joined a running window (by its
            // tags or by the window's list) is paused too, and resumed with the others at its end.
            var due = Query(ctx,
                $"SELECT {MaintenanceColumns.Aliased("w")}, o.starts_at, o.started, o.paused FROM maintenance_occurrences o JOIN maintenance w ON w.id = o.window_id " +
                "WHERE w.effect = 'pause' AND o.finished = 0 AND o.starts_at <= @now AND (o.ends_at IS NULL OR o.ends_at > @now)",
                r => (Window: MaintenanceColumns.Read(r), Start: r.GetInt64(12), Started: r.GetInt64(13) != 0, Paused: r.GetString(14)), ("@now", Time.Ms(now)));
            var count = 0;
            foreach (var (window, start, started, pausedJson) in due)
            {
                var paused = started ? JsonSerializer.Deserialize<List<string>>(pausedJson) ?? [] : [];
                var before = paused.Count;
                foreach (var id in CoveredIds(ctx, window).Where(id => !paused.Contains(id)))
                {
                    if (FindForWrite(ctx, "id = @key", id) is { Status: not MonitorStatus.Paused } monitor && Apply(ctx, monitor, MonitorMachine.Pause(monitor), now) is not null)
                    {
                        paused.Add(id);
                    }
                }
                if (!started || paused.Count > before)
                {
                    ctx.Exec("UPDATE maintenance_occurrences SET started = 1, paused = @p WHERE window_id = @w AND starts_at = @s",
                        ("@p", JsonSerializer.Serialize(paused)), ("@w", window.Id), ("@s", start));
                }
                count += paused.Count - before;
            }
            return count;
        });

    public Task<int> EndPausesAsync(DateTimeOffset now, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            var ended = Query(ctx,
                "SELECT window_id, starts_at, paused FROM maintenance_occurrences WHERE started = 1 AND finished = 0 AND ends_at <= @now",
                r => (Window: r.GetString(0), Start: r.GetInt64(1), Paused: r.GetString(2)), ("@now", Time.Ms(now)));
            var count = 0;
            foreach (var (window, start, paused) in ended)
            {
                ctx.Exec("UPDATE maintenance_occurrences SET finished = 1 WHERE window_id = @w AND starts_at = @s", ("@w", window), ("@s", start));
                count += ResumeAll(ctx, paused, now);
            }
            return count;
        });

    public Task<int> AlertAfterWindowsAsync(DateTimeOffset now, CancellationToken ct)
    {
        using (var connection = OpenReader())
        {
            if (Query(connection, "SELECT 1 FROM incidents WHERE muted = 1 AND ended_at IS NULL LIMIT 1", r => true).Count == 0)
            {
                return Task.FromResult(0);
            }
        }
        return Writer.WriteAsync(ctx =>
        {
            var inForce = WindowsInForce(ctx, now);
            var muted = Query(ctx, "SELECT id, monitor_id, started_at, reason FROM incidents WHERE muted = 1 AND ended_at IS NULL",
                r => (Id: r.GetInt64(0), Monitor: r.GetString(1), StartedAt: Time.From(r.GetInt64(2)), Reason: r.GetString(3)));
            var planned = 0;
            foreach (var incident in muted)
            {
                var monitor = FindForWrite(ctx, "id = @key", incident.Monitor);
                if (monitor is null || monitor.OpenIncidentId != incident.Id || inForce.Any(w => w.Covers(monitor)))
                {
                    continue;
                }
                ctx.Exec("UPDATE incidents SET muted = 0 WHERE id = @i", ("@i", incident.Id));
                if (monitor.Status != MonitorStatus.Down)
                {
                    continue;
                }
                var notice = MaintenanceMute.StillDownAfterWindow(monitor, incident.Reason, incident.StartedAt, now);
                foreach (var channel in monitor.Channels)
                {
                    EnqueueNotice(ctx, channel, notice, now);
                }
                planned++;
            }
            return planned;
        });
    }

    public Task<int> PruneOccurrencesAsync(DateTimeOffset before, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec(
            "DELETE FROM maintenance_occurrences WHERE ends_at < @before AND (started = 0 OR finished = 1)", ("@before", Time.Ms(before))));

    /// <summary>
    /// The maintenance rules for a flip's notice (<see cref="MaintenanceMute.Decide"/>), inside the
    /// write that applies the flip: returns the notice to send, or null; marks a held incident muted.
    /// </summary>
    private static Notice? Hold(WriteContext ctx, Monitor before, Flip flip, Monitor next)
    {
        if (flip.Notice is not { } notice)
        {
            return null;
        }
        var covered = notice.IsDown && WindowsInForce(ctx, notice.At).Any(w => w.Covers(next));
        var incidentMuted = before.OpenIncidentId is { } open && ctx.Scalar("SELECT muted FROM incidents WHERE id = @i", ("@i", open)) is long and not 0;
        switch (MaintenanceMute.Decide(notice, flip.Incident, covered, incidentMuted))
        {
            case NoticeFate.Send:
                return notice;
            case NoticeFate.DropAndMarkIncident when next.OpenIncidentId is { } opened:
                ctx.Exec("UPDATE incidents SET muted = 1, reason = reason || @note WHERE id = @i", ("@note", MaintenanceMute.IncidentNote), ("@i", opened));
                return null;
            default:
                return null;
        }
    }

    private static List<MaintenanceWindow> WindowsInForce(WriteContext ctx, DateTimeOffset at) => Query(ctx,
        $"SELECT {MaintenanceColumns.Aliased("w")} FROM maintenance w WHERE EXISTS (SELECT 1 FROM maintenance_occurrences o " +
        "WHERE o.window_id = w.id AND o.starts_at <= @at AND (o.ends_at IS NULL OR o.ends_at > @at))",
        MaintenanceColumns.Read, ("@at", Time.Ms(at)));

    private static List<string> CoveredIds(WriteContext ctx, MaintenanceWindow window) => Query(ctx,
        "SELECT id FROM monitors WHERE id IN (SELECT value FROM json_each(@ids)) " +
        "OR EXISTS (SELECT 1 FROM json_each(monitors.tags) t WHERE t.value IN (SELECT value FROM json_each(@tags))) ORDER BY id",
        r => r.GetString(0), ("@ids", JsonSerializer.Serialize(window.Monitors)), ("@tags", JsonSerializer.Serialize(window.Tags)));

    /// <summary>Resumes the monitors in a JSON list that are still paused; returns how many.</summary>
    private static int ResumeAll(WriteContext ctx, string pausedJson, DateTimeOffset now)
    {
        var count = 0;
        foreach (var id in JsonSerializer.Deserialize<List<string>>(pausedJson) ?? [])
        {
            if (FindForWrite(ctx, "id = @key", id) is { Status: MonitorStatus.Paused } monitor && Apply(ctx, monitor, MonitorMachine.Resume(monitor, now), now) is not null)
            {
                count++;
            }
        }
        return count;
    }

    private static void InsertOccurrences(WriteContext ctx, IReadOnlyList<MaintenanceOccurrence> occurrences)
    {
        foreach (var o in occurrences)
        {
            ctx.Exec($"INSERT INTO maintenance_occurrences ({OccurrenceColumns}) VALUES (@w, @s, @e) ON CONFLICT (window_id, starts_at) DO NOTHING",
                ("@w", o.WindowId), ("@s", Time.Ms(o.StartsAt)), ("@e", Time.Ms(o.EndsAt)));
        }
    }

    private static MaintenanceOccurrence ReadOccurrence(Microsoft.Data.Sqlite.SqliteDataReader r, int at) =>
        new(r.GetString(at), Time.From(r.GetInt64(at + 1)), Time.From(MonitorColumns.Long(r, at + 2)));
}
