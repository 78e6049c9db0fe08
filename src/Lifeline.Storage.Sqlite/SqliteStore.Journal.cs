using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The ping journal: a routine ping is written to the ping log (<see cref="PingLog"/>, one
/// append shared by the whole group commit) instead of the database, and folded into
/// <c>events</c> and <c>monitors</c> later, in chunks: by the writer whenever no write waits,
/// before any other write that reads or writes those tables (inside its transaction), before
/// every read of them, and at start after a crash. So nobody outside this file ever sees a ping
/// that is not in the database yet, and under load folds fill the writer's idle moments instead
/// of holding up the pings behind them.
/// </summary>
public sealed partial class SqliteStore
{
    /// <summary>Most pings one fold moves at a time.</summary>
    private const int FoldChunk = 256;

    /// <summary>Most pings kept waiting: past this, a transaction starts with a fold even when writes are queued.</summary>
    private const int MaxWaiting = 16_384;

    /// <summary>The setting that holds the log's current generation (<see cref="PingJournal"/>).</summary>
    private const string GenerationKey = "pings.generation";

    // A ping's values, as the log stores them: the event (?1 to ?13) and the monitor's state after it.
    // The event number (?2) is the monitor's event count and picks the event's slot in the ring.
    private const string FoldEvent =
        "INSERT OR REPLACE INTO events (monitor_id, slot, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source) " +
        "VALUES (?1, (?2 - 1) % ?25, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

    private const string FoldMonitor =
        "UPDATE monitors SET status = ?14, last_signal_at = ?15, last_message = ?16, last_value = ?17, next_deadline_at = ?18, " +
        "run_started_at = ?19, run_rid = ?20, last_duration_ms = ?21, failure_streak = ?22, event_count = ?2, " +
        "success_streak = ?23, last_alert_at = ?24 WHERE id = ?1";

    private const int MonitorIdAt = 0;
    private const int SeqAt = 1;
    private const int RingAt = 24;

    private PingJournal? _journal;

    /// <summary>
    /// Whether a signal can skip the monitor row: the flip changes none of what the sweeps, the
    /// incidents or the outbox read (status, due time, incident, notice), and it is no check
    /// (checks also count into rollups).
    /// </summary>
    private static bool IsRoutine(Monitor before, Flip flip, Signal signal) =>
        signal.Kind != SignalKind.Check
        && flip.Notice is null
        && flip.Incident == IncidentChange.None
        && flip.Next.Status == before.Status
        && flip.Next.DueAt == before.DueAt
        && flip.Next.OpenIncidentId == before.OpenIncidentId;

    private static void Journal(WriteContext ctx, Signal signal, long? durationMs, Monitor next) =>
        ctx.Journal.Add(
        [
            next.Id, next.EventCount, Time.Ms(signal.At), Signal.WireName(signal.Kind), signal.Ok ? 1 : 0,
            signal.Message, signal.Value, signal.PingMs, signal.ExitStatus, durationMs,
            signal.Body, signal.Rid?.ToString(), signal.Source,
            WireNames.Of(next.Status), Time.Ms(next.LastSignalAt), next.LastMessage, next.LastValue,
            Time.Ms(next.NextDeadlineAt), Time.Ms(next.RunStartedAt), next.RunRid?.ToString(), next.LastDurationMs,
            next.FailureStreak, next.SuccessStreak, Time.Ms(next.LastAlertAt), null /* the ring size, set when folded */,
        ]);

    /// <summary>Folds every waiting ping, events and monitors' rows, in the caller's transaction; a no-op when none waits.</summary>
    private static void Fold(WriteContext ctx)
    {
        while (FoldEvents(ctx))
        {
        }
        SaveMonitors(ctx);
    }

    /// <summary>
    /// The writer's idle work: one chunk of events, or else the monitors' rows once they have
    /// waited a while (so a monitor pinged often is written once a second, not once a ping).
    /// True if it did anything.
    /// </summary>
    private static bool FoldWhenIdle(WriteContext ctx)
    {
        if (FoldEvents(ctx))
        {
            return true;
        }
        if (!ctx.Journal.SaveDue)
        {
            return false;
        }
        SaveMonitors(ctx);
        return true;
    }

    /// <summary>Writes the events of the oldest waiting pings, one chunk; true if there were any.</summary>
    private static bool FoldEvents(WriteContext ctx)
    {
        var records = ctx.Journal.NextToFold(FoldChunk);
        if (records.IsEmpty)
        {
            return false;
        }
        foreach (var values in records)
        {
            values[RingAt] = (long)ctx.EventRing;
            ctx.FoldedRows += ctx.ExecHot(FoldEvent, values);
            ctx.Journal.Remember((string)values[MonitorIdAt]!, values);
        }
        ctx.Journal.Folded(records.Length);
        return true;
    }

    /// <summary>Writes each monitor the state of its newest folded ping; moves the generation on when nothing is left.</summary>
    private static void SaveMonitors(WriteContext ctx)
    {
        if (!ctx.Journal.HasUnsaved)
        {
            return;
        }
        foreach (var values in ctx.Journal.ToSave())
        {
            ctx.FoldedRows += ctx.ExecHot(FoldMonitor, values.AsSpan(0, RingAt));
        }
        if (ctx.Journal.Saved())
        {
            StoreGeneration(ctx, ctx.Journal.Generation);
        }
    }

    private static void StoreGeneration(WriteContext ctx, long generation) =>
        ctx.Exec(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("@key", GenerationKey), ("@value", generation.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// What every transaction does first: when the log has grown long, fold everything so that it
    /// can be written from its start again; otherwise fold a chunk when too many pings wait, as
    /// they may when the writer is never idle.
    /// </summary>
    private static void BeginTransaction(WriteContext ctx)
    {
        if (ctx.Journal.WrapDue)
        {
            Fold(ctx);
            // Even with nothing waiting, the log may hold folded records of this generation.
            if (ctx.Journal.Advance())
            {
                StoreGeneration(ctx, ctx.Journal.Generation);
            }
            ctx.Journal.Wrap();
        }
        else if (ctx.Journal.Unfolded >= MaxWaiting)
        {
            FoldEvents(ctx);
        }
    }

    /// <summary>
    /// Opens the ping log and reads back the pings a crash left in it: those of the database's
    /// generation that are newer than their monitor's last event. They are folded before anything
    /// reads the store (MigrateAsync).
    /// </summary>
    private PingJournal OpenJournal(SqliteConnection connection)
    {
        var log = PingLog.Open(_options.Path, _options.Durability != Durability.Process);
        var generation = Scalar(connection, null, $"SELECT value FROM settings WHERE key = '{GenerationKey}'") is string stored
            ? long.Parse(stored, CultureInfo.InvariantCulture)
            : 0;
        var current = log.ReadAll().Where(r => r.Generation == generation).Select(r => r.Values).ToList();
        var recovered = new List<object?[]>();
        if (current.Count > 0)
        {
            var eventCounts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (id, count) in Query(connection, "SELECT id, event_count FROM monitors", r => (r.GetString(0), r.GetInt64(1))))
            {
                eventCounts[id] = count;
            }
            recovered.AddRange(current.Where(values =>
                values.Length == RingAt + 1
                && values[MonitorIdAt] is string id && eventCounts.TryGetValue(id, out var count)
                && values[SeqAt] is long seq && seq > count));
            _logger.LogInformation("Recovered {Count} pings from the ping log", recovered.Count);
        }
        return new PingJournal(log, generation, recovered) { WrapAt = _options.PingLogWrapAt };
    }

    /// <summary>
    /// Before a read of monitors or events: folds the waiting pings, if any may be waiting, in one
    /// write, so that pings arriving meanwhile cannot keep a reader waiting.
    /// </summary>
    private async Task SyncAsync()
    {
        if (_journal?.MayHaveRecords == true)
        {
            await Writer.WriteAsync(ctx =>
            {
                Fold(ctx);
                return true;
            });
        }
    }
}
