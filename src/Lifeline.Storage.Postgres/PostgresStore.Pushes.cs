using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Recording signals in batches: concurrent pushes share one transaction, so a busy server sends
/// one locking read, one batch of writes and one commit for all of them instead of four round
/// trips and a commit each. Every push is answered only after the commit that holds it.
/// </summary>
public sealed partial class PostgresStore
{
    private readonly record struct Push(SignalAddress Address, Signal Signal);

    private readonly GroupCommit<Push, SignalResult> _pushes;

    private const string UpsertEvent =
        $"INSERT INTO events (slot, {EventColumns}) " +
        "VALUES (@slot, @seq, @m, @at, @type, @ok, @msg, @value, @ping, @exit, @duration, @body, @rid, @source, @details) " +
        "ON CONFLICT (monitor_id, slot) DO UPDATE SET seq = excluded.seq, at = excluded.at, type = excluded.type, ok = excluded.ok, " +
        "msg = excluded.msg, value = excluded.value, ping = excluded.ping, exit_status = excluded.exit_status, " +
        "duration_ms = excluded.duration_ms, body = excluded.body, rid = excluded.rid, source = excluded.source, details = excluded.details";

    /// <summary>
    /// Records a signal; completes after its transaction has committed. Signals that may create a
    /// monitor go alone; all others join the batch being gathered.
    /// </summary>
    public Task<SignalResult> RecordAsync(SignalAddress address, Signal signal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(signal);
        return address.CreateIfMissing is not null
            ? RecordAloneAsync(address, signal, ct)
            : _pushes.RunAsync(new Push(address, signal), ct);
    }

    private GroupCommit<Push, SignalResult> NewPushBatches() => new(
        _options.PushLanes,
        _options.PushBatch,
        RecordTogetherAsync,
        (push, ct) => RecordAloneAsync(push.Address, push.Signal, ct),
        ex => ex is StoreUnavailableException or ObjectDisposedException or OperationCanceledException);

    /// <summary>
    /// Records <paramref name="pushes"/> in one transaction, in their order: several to one monitor
    /// are applied one after another. The monitors are locked in id order, as the sweeps lock
    /// them, so batches on several servers cannot deadlock each other.
    /// </summary>
    private Task<IReadOnlyList<SignalResult>> RecordTogetherAsync(IReadOnlyList<Push> pushes, CancellationToken ct) =>
        InTransactionAsync<IReadOnlyList<SignalResult>>(async s =>
        {
            var locked = await s.QueryAsync(
                $"SELECT {MonitorColumns.Columns} FROM monitors " +
                "WHERE push_token = ANY(@tokens) OR slug = ANY(@slugs) OR id = ANY(@ids) ORDER BY id FOR UPDATE",
                MonitorColumns.Read,
                ("@tokens", pushes.Select(p => p.Address.Token).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
                ("@slugs", pushes.Where(p => p.Address.Token is null).Select(p => p.Address.Slug).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
                ("@ids", pushes.Where(p => p.Address is { Token: null, Slug: null }).Select(p => p.Address.MonitorId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()));
            var byId = locked.ToDictionary(m => m.Id, StringComparer.Ordinal);
            var byToken = locked.Where(m => m.PushToken is not null).ToDictionary(m => m.PushToken!, m => m.Id, StringComparer.Ordinal);
            var bySlug = locked.Where(m => m.Slug is not null).ToDictionary(m => m.Slug!, m => m.Id, StringComparer.Ordinal);
            var writes = new PendingWrites(s);
            var results = new SignalResult[pushes.Count];
            for (var i = 0; i < pushes.Count; i++)
            {
                var (address, signal) = pushes[i];
                var id = address.Token is { } token ? byToken.GetValueOrDefault(token)
                    : address.Slug is { } slug ? bySlug.GetValueOrDefault(slug)
                    : address.MonitorId;
                if (id is null || !byId.TryGetValue(id, out var monitor)
                    || (address.MonitorId is not null && address.ExpectedDueAt is { } expected && monitor.DueAt != expected))
                {
                    results[i] = new SignalResult(SignalOutcome.NotFound, null);
                    continue;
                }
                var flip = MonitorMachine.OnSignal(monitor, signal);
                writes.Add(UpsertEvent, EventParameters(monitor, flip, signal));
                Monitor next;
                if (signal.Kind == SignalKind.Check || flip.Incident != IncidentChange.None || flip.Notice is not null)
                {
                    // Rare: a status change, an alert or a check's rollup. The statements queued
                    // so far go first, then the same writes as a push alone makes.
                    await writes.FlushAsync();
                    if (signal.Kind == SignalKind.Check)
                    {
                        await AddToRollupAsync(s, monitor.Id, signal);
                    }
                    // The row is locked since the read above: it is there.
                    next = await ApplyAsync(s, monitor, flip, signal.At) ?? flip.Next;
                }
                else
                {
                    // A routine push: only the state columns change.
                    writes.Add(MonitorColumns.UpdateState, MonitorRows.StateParameters(flip.Next));
                    next = flip.Next;
                }
                byId[id] = next;
                results[i] = new SignalResult(SignalOutcome.Recorded, next, flip.Notice is not null && next.Channels.Count > 0);
            }
            await writes.FlushAsync();
            return results;
        }, ct);

    /// <summary>The parameters of <see cref="UpsertEvent"/>: the event takes the slot of the oldest one in the monitor's ring.</summary>
    private (string, object?)[] EventParameters(Monitor monitor, Flip flip, Signal signal)
    {
        var durationMs = flip.Next.LastDurationMs != monitor.LastDurationMs ? flip.Next.LastDurationMs : signal.DurationMs;
        var seq = flip.Next.EventCount;
        return
        [
            ("@slot", (int)((seq - 1) % _options.EventsKept)), ("@seq", (long)seq), ("@m", monitor.Id), ("@at", Time.Ms(signal.At)),
            ("@type", Signal.WireName(signal.Kind)), ("@ok", signal.Ok), ("@msg", signal.Message), ("@value", signal.Value),
            ("@ping", signal.PingMs), ("@exit", signal.ExitStatus), ("@duration", durationMs), ("@body", signal.Body),
            ("@rid", signal.Rid?.ToString()), ("@source", signal.Source), ("@details", StoreEncoding.WriteCheckDetails(signal)),
        ];
    }

    /// <summary>Statements whose results nobody reads, sent together in one round trip when flushed.</summary>
    private sealed class PendingWrites(Session session)
    {
        private NpgsqlBatch? _batch;

        public void Add(string sql, (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            (_batch ??= session.Batch()).BatchCommands.Add(command);
        }

        public async Task FlushAsync()
        {
            if (_batch is not { } batch)
            {
                return;
            }
            _batch = null;
            await using (batch)
            {
                await batch.ExecuteNonQueryAsync(session.Ct);
            }
        }
    }
}
