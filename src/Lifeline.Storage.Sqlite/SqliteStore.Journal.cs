using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The ping journal (migration 0004): routine pings are appended to it and folded into
/// <c>events</c> and <c>monitors</c> in bulk. Every write that reads or writes those tables folds
/// first, inside its own transaction, and every read of them waits for a fold when the journal
/// may hold rows, so nobody outside this file ever sees the journal.
/// </summary>
public sealed partial class SqliteStore
{
    /// <summary>Most journal rows folded by one statement set: a background fold moves one chunk per write.</summary>
    private const int FoldChunk = 4096;

    private const string JournalInsert =
        "INSERT INTO journal (monitor_id, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, " +
        "status, last_signal_at, last_message, last_value, next_deadline_at, run_started_at, run_rid, last_duration_ms, " +
        "failure_streak, event_count, success_streak, last_alert_at) " +
        "VALUES (@m, @at, @type, @ok, @msg, @value, @ping, @exit, @duration, @body, @rid, @source, " +
        "@status, @last_signal_at, @last_message, @last_value, @next_deadline_at, @run_started_at, @run_rid, @last_duration_ms, " +
        "@failure_streak, @event_count, @success_streak, @last_alert_at)";

    // The journal row's event_count is the event's number: it replaces what was in its slot.
    private const string FoldEvents =
        "INSERT OR REPLACE INTO events (monitor_id, slot, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source) " +
        "SELECT monitor_id, (event_count - 1) % @ring, event_count, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source " +
        "FROM journal WHERE id <= @upto ORDER BY id";

    // Each monitor takes the state of its newest journal row.
    private const string FoldMonitors =
        "UPDATE monitors SET status = s.status, last_signal_at = s.last_signal_at, last_message = s.last_message, " +
        "last_value = s.last_value, next_deadline_at = s.next_deadline_at, run_started_at = s.run_started_at, " +
        "run_rid = s.run_rid, last_duration_ms = s.last_duration_ms, failure_streak = s.failure_streak, " +
        "event_count = s.event_count, success_streak = s.success_streak, last_alert_at = s.last_alert_at " +
        "FROM (SELECT * FROM journal WHERE id IN (SELECT max(id) FROM journal WHERE id <= @upto GROUP BY monitor_id)) AS s " +
        "WHERE monitors.id = s.monitor_id";

    private Timer? _folds;

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

    private static void Journal(WriteContext ctx, Signal signal, long? durationMs, Monitor next)
    {
        ctx.ExecHot(JournalInsert,
        [
            next.Id, Time.Ms(signal.At), Signal.WireName(signal.Kind), signal.Ok ? 1 : 0,
            signal.Message, signal.Value, signal.PingMs, signal.ExitStatus, durationMs,
            signal.Body, signal.Rid?.ToString(), signal.Source,
            WireNames.Of(next.Status), Time.Ms(next.LastSignalAt), next.LastMessage, next.LastValue,
            Time.Ms(next.NextDeadlineAt), Time.Ms(next.RunStartedAt), next.RunRid?.ToString(), next.LastDurationMs,
            next.FailureStreak, next.EventCount, next.SuccessStreak, Time.Ms(next.LastAlertAt),
        ]);
        ctx.Journaled();
    }

    /// <summary>Folds the whole journal in the caller's transaction; a no-op when it is known empty.</summary>
    private static void Fold(WriteContext ctx)
    {
        while (ctx.JournalDirty && FoldChunkOf(ctx))
        {
        }
    }

    /// <summary>Folds the oldest rows of the journal; true while rows remain.</summary>
    private static bool FoldChunkOf(WriteContext ctx)
    {
        if (ctx.Scalar("SELECT min(id) FROM journal") is not long first)
        {
            ctx.Folded();
            return false;
        }
        var upto = first + FoldChunk - 1;
        ctx.Exec(FoldEvents, ("@ring", ctx.EventRing), ("@upto", upto));
        ctx.Exec(FoldMonitors, ("@upto", upto));
        ctx.Exec("DELETE FROM journal WHERE id <= @upto", ("@upto", upto));
        return true;
    }

    /// <summary>
    /// Before a read of monitors or events: folds the journal when it may hold rows, in one write,
    /// so that pings arriving meanwhile cannot keep a reader waiting.
    /// </summary>
    private async Task SyncAsync()
    {
        if (Writer.JournalMayHaveRows)
        {
            await Writer.WriteAsync(ctx =>
            {
                Fold(ctx);
                return true;
            });
        }
    }

    /// <summary>Most chunks one background fold moves; the rest waits for the next tick.</summary>
    private const int FoldChunksPerTick = 16;

    private void StartFolding() =>
        _folds = new Timer(_ => _ = FoldInBackgroundAsync(), null, _options.FoldEvery, _options.FoldEvery);

    private int _folding;

    private async Task FoldInBackgroundAsync()
    {
        if (Interlocked.Exchange(ref _folding, 1) == 1)
        {
            return;
        }
        try
        {
            // Chunk by chunk, so pings queued behind a fold wait for one chunk at most.
            for (var i = 0; i < FoldChunksPerTick && Writer.JournalMayHaveRows && await Writer.WriteAsync(FoldChunkOf); i++)
            {
            }
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogDebug(ex, "Journal fold skipped");
        }
        finally
        {
            Volatile.Write(ref _folding, 0);
        }
    }
}
