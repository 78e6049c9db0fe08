using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore : IMaintenanceStore
{
    public Task AddWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(occurrences);
        return InTransactionAsync(async s =>
        {
            await s.ExecAsync(MaintenanceColumns.Insert, MaintenanceColumns.Parameters(window));
            await InsertOccurrencesAsync(s, occurrences);
            return true;
        }, ct);
    }

    public Task<MaintenanceWindow?> FindWindowAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {MaintenanceColumns.Columns} FROM maintenance WHERE id = @id", MaintenanceColumns.Read, ("@id", id))).FirstOrDefault(), ct);

    public Task<IReadOnlyList<MaintenanceWindow>> WindowsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<MaintenanceWindow>>(async s => await s.QueryAsync($"SELECT {MaintenanceColumns.Columns} FROM maintenance ORDER BY name, id", MaintenanceColumns.Read), ct);

    public Task<bool> UpdateWindowAsync(MaintenanceWindow window, IReadOnlyList<MaintenanceOccurrence> occurrences, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(occurrences);
        return InTransactionAsync(async s =>
        {
            if (await s.ExecAsync(MaintenanceColumns.Update, MaintenanceColumns.Parameters(window)) == 0)
            {
                return false;
            }
            var id = ("@w", (object?)window.Id);
            await s.ExecAsync("DELETE FROM maintenance_occurrences WHERE window_id = @w AND NOT started AND (ends_at IS NULL OR ends_at > @now)", id, ("@now", Time.Ms(now)));
            // An occurrence that paused monitors stays, so that its end resumes them.
            var kept = await s.QueryAsync("SELECT starts_at FROM maintenance_occurrences WHERE window_id = @w AND started AND NOT finished FOR UPDATE", r => r.GetInt64(0), id);
            foreach (var start in kept)
            {
                var match = occurrences.FirstOrDefault(o => Time.Ms(o.StartsAt) == start);
                await s.ExecAsync("UPDATE maintenance_occurrences SET ends_at = @end WHERE window_id = @w AND starts_at = @s",
                    id, ("@s", start), ("@end", match is null ? Time.Ms(now) : Time.Ms(match.EndsAt)));
            }
            await InsertOccurrencesAsync(s, occurrences);
            return true;
        }, ct);
    }

    public Task<bool> DeleteWindowAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            if (await s.ScalarAsync("SELECT 1 FROM maintenance WHERE id = @w FOR UPDATE", ("@w", id)) is null)
            {
                return false;
            }
            var paused = await s.QueryAsync("SELECT paused FROM maintenance_occurrences WHERE window_id = @w AND started AND NOT finished FOR UPDATE", r => r.GetString(0), ("@w", id));
            foreach (var list in paused)
            {
                await ResumeAllAsync(s, list, now);
            }
            await s.ExecAsync("DELETE FROM maintenance_occurrences WHERE window_id = @w", ("@w", id));
            await s.ExecAsync("DELETE FROM maintenance WHERE id = @w", ("@w", id));
            return true;
        }, ct);

    public Task<bool> EndOccurrenceAsync(string windowId, DateTimeOffset now, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync(
            "UPDATE maintenance_occurrences SET ends_at = @now WHERE window_id = @w AND starts_at <= @now AND (ends_at IS NULL OR ends_at > @now)",
            ("@w", windowId), ("@now", Time.Ms(now))) > 0, ct);

    public Task AddOccurrencesAsync(IReadOnlyList<MaintenanceOccurrence> occurrences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        return InTransactionAsync(async s =>
        {
            await InsertOccurrencesAsync(s, occurrences);
            return true;
        }, ct);
    }

    public Task<IReadOnlyList<MaintenanceState>> InForceAsync(DateTimeOffset at, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<MaintenanceState>>(async s => await s.QueryAsync(
            $"SELECT {MaintenanceColumns.Aliased("w")}, o.window_id, o.starts_at, o.ends_at " +
            "FROM maintenance_occurrences o JOIN maintenance w ON w.id = o.window_id " +
            "WHERE o.starts_at <= @at AND (o.ends_at IS NULL OR o.ends_at > @at) ORDER BY w.name, w.id, o.starts_at",
            r => new MaintenanceState(MaintenanceColumns.Read(r), new MaintenanceOccurrence(r.GetString(12), Time.From(r.GetInt64(13)), Time.From(MonitorColumns.Long(r, 14)))),
            ("@at", Time.Ms(at))), ct);

    public Task<int> StartPausesAsync(DateTimeOffset now, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            // Claimed with the row lock: another node skips it, and sees it started once this commits.
            // Running occurrences too: a monitor that joined a running window (by its tags or by the
            // window's list) is paused as well, and resumed with the others at its end.
            var due = await s.QueryAsync(
                $"SELECT {MaintenanceColumns.Aliased("w")}, o.starts_at, o.started, o.paused FROM maintenance_occurrences o JOIN maintenance w ON w.id = o.window_id " +
                "WHERE w.effect = 'pause' AND NOT o.finished AND o.starts_at <= @now AND (o.ends_at IS NULL OR o.ends_at > @now) FOR UPDATE OF o SKIP LOCKED",
                r => (Window: MaintenanceColumns.Read(r), Start: r.GetInt64(12), Started: r.GetBoolean(13), Paused: r.GetString(14)), ("@now", Time.Ms(now)));
            var count = 0;
            foreach (var (window, start, started, pausedJson) in due)
            {
                var paused = started ? JsonSerializer.Deserialize<List<string>>(pausedJson) ?? [] : [];
                var before = paused.Count;
                foreach (var id in (await CoveredIdsAsync(s, window)).Where(id => !paused.Contains(id)))
                {
                    if (await FindForUpdateAsync(s, "id = @key", id) is { Status: not MonitorStatus.Paused } monitor && await ApplyAsync(s, monitor, MonitorMachine.Pause(monitor), now) is not null)
                    {
                        paused.Add(id);
                    }
                }
                if (!started || paused.Count > before)
                {
                    await s.ExecAsync("UPDATE maintenance_occurrences SET started = TRUE, paused = @p WHERE window_id = @w AND starts_at = @s",
                        ("@p", JsonSerializer.Serialize(paused)), ("@w", window.Id), ("@s", start));
                }
                count += paused.Count - before;
            }
            return count;
        }, ct);

    public Task<int> EndPausesAsync(DateTimeOffset now, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            var ended = await s.QueryAsync(
                "SELECT window_id, starts_at, paused FROM maintenance_occurrences WHERE started AND NOT finished AND ends_at <= @now FOR UPDATE SKIP LOCKED",
                r => (Window: r.GetString(0), Start: r.GetInt64(1), Paused: r.GetString(2)), ("@now", Time.Ms(now)));
            var count = 0;
            foreach (var (window, start, paused) in ended)
            {
                await s.ExecAsync("UPDATE maintenance_occurrences SET finished = TRUE WHERE window_id = @w AND starts_at = @s", ("@w", window), ("@s", start));
                count += await ResumeAllAsync(s, paused, now);
            }
            return count;
        }, ct);

    public async Task<int> AlertAfterWindowsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var muted = await ReadAsync(s => s.QueryAsync("SELECT id, monitor_id FROM incidents WHERE muted AND ended_at IS NULL ORDER BY monitor_id",
            r => (Id: r.GetInt64(0), Monitor: r.GetString(1))), ct);
        if (muted.Count == 0)
        {
            return 0;
        }
        return await InTransactionAsync(async s =>
        {
            var inForce = await WindowsInForceAsync(s, now);
            var planned = 0;
            foreach (var candidate in muted)
            {
                // The monitor row is held first, as every flip holds it: a flip muting an incident
                // commits before this reads it, or waits and sees it alerted.
                var monitor = await FindForUpdateAsync(s, "id = @key", candidate.Monitor);
                if (monitor is null || monitor.OpenIncidentId != candidate.Id || inForce.Any(w => w.Covers(monitor)))
                {
                    continue;
                }
                var incident = (await s.QueryAsync("SELECT started_at, reason FROM incidents WHERE id = @i AND muted AND ended_at IS NULL",
                    r => (StartedAt: Time.From(r.GetInt64(0)), Reason: r.GetString(1)), ("@i", candidate.Id))).FirstOrDefault();
                if (incident.Reason is null)
                {
                    continue;
                }
                await s.ExecAsync("UPDATE incidents SET muted = FALSE WHERE id = @i", ("@i", candidate.Id));
                if (monitor.Status != MonitorStatus.Down)
                {
                    continue;
                }
                var notice = MaintenanceMute.StillDownAfterWindow(monitor, incident.Reason, incident.StartedAt, now);
                foreach (var channel in monitor.Channels)
                {
                    await EnqueueNoticeAsync(s, channel, notice, now);
                }
                planned++;
            }
            return planned;
        }, ct);
    }

    public Task<int> PruneOccurrencesAsync(DateTimeOffset before, CancellationToken ct) =>
        InTransactionAsync(s => s.ExecAsync(
            "DELETE FROM maintenance_occurrences WHERE ends_at < @before AND (NOT started OR finished)", ("@before", Time.Ms(before))), ct);

    /// <summary>
    /// The maintenance rules for a flip's notice (<see cref="MaintenanceMute.Decide"/>), inside the
    /// transaction that applies the flip: returns the notice to send, or null; marks a held incident muted.
    /// </summary>
    private static async Task<Notice?> HoldAsync(Session s, Monitor before, Flip flip, Monitor next)
    {
        if (flip.Notice is not { } notice)
        {
            return null;
        }
        var covered = notice.IsDown && (await WindowsInForceAsync(s, notice.At)).Any(w => w.Covers(next));
        var incidentMuted = before.OpenIncidentId is { } open && await s.ScalarAsync("SELECT muted FROM incidents WHERE id = @i", ("@i", open)) is true;
        switch (MaintenanceMute.Decide(notice, flip.Incident, covered, incidentMuted))
        {
            case NoticeFate.Send:
                return notice;
            case NoticeFate.DropAndMarkIncident when next.OpenIncidentId is { } opened:
                await s.ExecAsync("UPDATE incidents SET muted = TRUE, reason = reason || @note WHERE id = @i", ("@note", MaintenanceMute.IncidentNote), ("@i", opened));
                return null;
            default:
                return null;
        }
    }

    private static Task<List<MaintenanceWindow>> WindowsInForceAsync(Session s, DateTimeOffset at) => s.QueryAsync(
        $"SELECT {MaintenanceColumns.Aliased("w")} FROM maintenance w WHERE EXISTS (SELECT 1 FROM maintenance_occurrences o " +
        "WHERE o.window_id = w.id AND o.starts_at <= @at AND (o.ends_at IS NULL OR o.ends_at > @at))",
        MaintenanceColumns.Read, ("@at", Time.Ms(at)));

    private static Task<List<string>> CoveredIdsAsync(Session s, MaintenanceWindow window) => s.QueryAsync(
        "SELECT id FROM monitors WHERE id = ANY(@ids) OR tags::jsonb ?| @tags ORDER BY id",
        r => r.GetString(0), ("@ids", window.Monitors.ToArray()), ("@tags", window.Tags.ToArray()));

    /// <summary>Resumes the monitors in a JSON list that are still paused; returns how many.</summary>
    private static async Task<int> ResumeAllAsync(Session s, string pausedJson, DateTimeOffset now)
    {
        var count = 0;
        foreach (var id in (JsonSerializer.Deserialize<List<string>>(pausedJson) ?? []).Order(StringComparer.Ordinal))
        {
            if (await FindForUpdateAsync(s, "id = @key", id) is { Status: MonitorStatus.Paused } monitor && await ApplyAsync(s, monitor, MonitorMachine.Resume(monitor, now), now) is not null)
            {
                count++;
            }
        }
        return count;
    }

    private static async Task InsertOccurrencesAsync(Session s, IReadOnlyList<MaintenanceOccurrence> occurrences)
    {
        foreach (var o in occurrences)
        {
            await s.ExecAsync("INSERT INTO maintenance_occurrences (window_id, starts_at, ends_at) VALUES (@w, @s, @e) ON CONFLICT (window_id, starts_at) DO NOTHING",
                ("@w", o.WindowId), ("@s", Time.Ms(o.StartsAt)), ("@e", Time.Ms(o.EndsAt)));
        }
    }
}
