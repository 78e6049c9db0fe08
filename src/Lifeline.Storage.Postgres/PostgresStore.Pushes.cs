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

    private const string EventUpdates =
        "ON CONFLICT (monitor_id, slot) DO UPDATE SET seq = excluded.seq, at = excluded.at, type = excluded.type, ok = excluded.ok, " +
        "msg = excluded.msg, value = excluded.value, ping = excluded.ping, exit_status = excluded.exit_status, " +
        "duration_ms = excluded.duration_ms, body = excluded.body, rid = excluded.rid, source = excluded.source, details = excluded.details";

    private const string UpsertEvent =
        $"INSERT INTO events (slot, {EventColumns}) " +
        "VALUES (@slot, @seq, @monitor_id, @at, @type, @ok, @msg, @value, @ping, @exit_status, @duration_ms, @body, @rid, @source, @details) " +
        EventUpdates;

    /// <summary>Many events in one statement: a JSON array of objects named by column.</summary>
    private const string UpsertEvents =
        $"INSERT INTO events (slot, {EventColumns}) SELECT slot, {EventColumns} FROM jsonb_populate_recordset(NULL::events, @rows) " +
        EventUpdates;

    /// <summary>Many monitors' state columns in one statement, from a JSON array of objects named by column.</summary>
    private static readonly string UpdateStates =
        "UPDATE monitors m SET " +
        string.Join(", ", MonitorRows.StateParameters(new Monitor { Id = "", Name = "" }).Select(p => p.Item1[1..]).Where(c => c != "id").Select(c => $"{c} = u.{c}")) +
        " FROM jsonb_populate_recordset(NULL::monitors, @rows) u WHERE m.id = u.id";

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
            // Only the keys this batch uses, so that each condition is one index look-up.
            var keys = new (string Column, string[] Values)[]
            {
                ("push_token", pushes.Select(p => p.Address.Token).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
                ("slug", pushes.Where(p => p.Address.Token is null).Select(p => p.Address.Slug).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
                ("id", pushes.Where(p => p.Address is { Token: null, Slug: null }).Select(p => p.Address.MonitorId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
            }.Where(k => k.Values.Length > 0).ToArray();
            var locked = keys.Length == 0 ? [] : await s.QueryAsync(
                $"SELECT {MonitorColumns.Columns} FROM monitors " +
                $"WHERE {string.Join(" OR ", keys.Select(k => $"{k.Column} = ANY(@{k.Column})"))} ORDER BY id FOR UPDATE",
                MonitorColumns.Read,
                [.. keys.Select(k => ("@" + k.Column, (object?)k.Values))]);
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
                // A Healthchecks ping is what the monitor's rules make of it, and is recorded as such.
                signal = monitor.PingRules.Sort(signal);
                var flip = MonitorMachine.OnSignal(monitor, signal);
                writes.AddEvent(EventParameters(monitor, flip, signal));
                Monitor next;
                if (signal.Kind == SignalKind.Check || flip.Incident != IncidentChange.None || flip.Notice is not null)
                {
                    // Rare: a status change, an alert or a check's rollup. The statements queued
                    // so far go first, then the same writes as a push alone makes.
                    await writes.FlushAsync();
                    if (signal.Kind == SignalKind.Check && signal.Location is null)
                    {
                        await AddToRollupAsync(s, monitor.Id, signal);
                    }
                    // The row is locked since the read above: it is there.
                    next = await ApplyAsync(s, monitor, flip, signal.At) ?? flip.Next;
                }
                else
                {
                    // A routine push: only the state columns change.
                    writes.AddState(MonitorRows.StateParameters(flip.Next));
                    next = flip.Next;
                }
                byId[id] = next;
                results[i] = new SignalResult(SignalOutcome.Recorded, next, flip.Notice is not null && next.Channels.Count > 0);
            }
            // The last writes and the commit share one round trip.
            await writes.FlushAsync(commit: true);
            return results;
        }, ct, committedByWork: true);

    /// <summary>The parameters of <see cref="UpsertEvent"/>: the event takes the slot of the oldest one in the monitor's ring.</summary>
    private (string, object?)[] EventParameters(Monitor monitor, Flip flip, Signal signal)
    {
        var durationMs = flip.Next.LastDurationMs != monitor.LastDurationMs ? flip.Next.LastDurationMs : signal.DurationMs;
        var seq = flip.Next.EventCount;
        return
        [
            ("@slot", (int)((seq - 1) % _options.EventsKept)), ("@seq", (long)seq), ("@monitor_id", monitor.Id), ("@at", Time.Ms(signal.At)),
            ("@type", Signal.WireName(signal.Kind)), ("@ok", signal.Ok), ("@msg", signal.Message), ("@value", signal.Value),
            ("@ping", signal.PingMs), ("@exit_status", signal.ExitStatus), ("@duration_ms", durationMs), ("@body", signal.Body),
            ("@rid", signal.Rid?.ToString()), ("@source", signal.Source), ("@details", StoreEncoding.WriteCheckDetails(signal)),
        ];
    }

    /// <summary>
    /// The routine writes of a batch, kept until flushed: then one statement writes every event and
    /// one every monitor's state, sent together in one round trip. Rows are passed as JSON objects
    /// named by column (parameter names without the @), so PostgreSQL converts each value to its
    /// column's type. A later write of the same event slot or monitor replaces an earlier one,
    /// as it would have overwritten it.
    /// </summary>
    private sealed class PendingWrites(Session session)
    {
        private readonly Dictionary<(object MonitorId, object Slot), (string, object?)[]> _events = [];
        private readonly Dictionary<object, (string, object?)[]> _states = [];

        public void AddEvent((string Name, object? Value)[] row) =>
            _events[(Value(row, "@monitor_id"), Value(row, "@slot"))] = row;

        public void AddState((string Name, object? Value)[] row) => _states[Value(row, "@id")] = row;

        private static object Value((string Name, object? Value)[] row, string name) =>
            row.First(p => p.Name == name).Value ?? throw new InvalidOperationException($"{name} is null");

        /// <param name="commit">Ends the batch with the transaction's COMMIT, sparing it a round trip of its own.</param>
        public async Task FlushAsync(bool commit = false)
        {
            if (_events.Count == 0 && _states.Count == 0 && !commit)
            {
                return;
            }
            await using var batch = session.Batch();
            if (_events.Count > 0)
            {
                batch.BatchCommands.Add(Rows(UpsertEvents, _events.Values));
            }
            if (_states.Count > 0)
            {
                batch.BatchCommands.Add(Rows(UpdateStates, _states.Values));
            }
            if (commit)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            }
            _events.Clear();
            _states.Clear();
            await batch.ExecuteNonQueryAsync(session.Ct);
        }

        private static NpgsqlBatchCommand Rows(string sql, IEnumerable<(string Name, object? Value)[]> rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter("rows", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = Json(rows) });
            return command;
        }

        private static string Json(IEnumerable<(string Name, object? Value)[]> rows)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var row in rows)
                {
                    json.WriteStartObject();
                    foreach (var (name, value) in row)
                    {
                        json.WritePropertyName(name.AsSpan(1));
                        switch (value)
                        {
                            case null: json.WriteNullValue(); break;
                            case string text: json.WriteStringValue(text); break;
                            case bool flag: json.WriteBooleanValue(flag); break;
                            case int number: json.WriteNumberValue(number); break;
                            case long number: json.WriteNumberValue(number); break;
                            // JSON has no NaN or infinities: as text, PostgreSQL reads them still.
                            case double number when !double.IsFinite(number):
                                json.WriteStringValue(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                                break;
                            case double number: json.WriteNumberValue(number); break;
                            default: throw new NotSupportedException($"{name}: {value.GetType().Name} values are not written as JSON");
                        }
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
