using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Recording signals in batches: concurrent pushes share one transaction, so a busy server sends
/// one statement (pushes to rows it wrote last, <see cref="KnownRows"/>), or one locking read and
/// one batch of writes with the commit, for all of them instead of four round trips and a commit
/// each. Every push is answered only after the commit that holds it.
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

    /// <summary>Monitors' state columns, as <see cref="MonitorRows.StateParameters"/> gives them, passed as arrays.</summary>
    private static readonly ColumnArrays States = new("s_",
        ("id", "text"), ("status", "text"), ("last_signal_at", "bigint"), ("last_message", "text"), ("last_value", "double precision"),
        ("next_deadline_at", "bigint"), ("due_at", "bigint"), ("open_incident_id", "bigint"), ("run_started_at", "bigint"),
        ("run_rid", "text"), ("last_duration_ms", "bigint"), ("failure_streak", "integer"), ("event_count", "integer"),
        ("success_streak", "integer"), ("last_alert_at", "bigint"));

    /// <summary>Events' columns, as <see cref="EventParameters"/> gives them, passed as arrays.</summary>
    private static readonly ColumnArrays Events = new("e_",
        ("slot", "integer"), ("seq", "bigint"), ("monitor_id", "text"), ("at", "bigint"), ("type", "text"), ("ok", "boolean"),
        ("msg", "text"), ("value", "double precision"), ("ping", "double precision"), ("exit_status", "integer"),
        ("duration_ms", "bigint"), ("body", "text"), ("rid", "text"), ("source", "text"), ("details", "text"));

    /// <summary>
    /// The first half of storing events (<see cref="Events"/>, alias e) in their ring slots: a
    /// named query updating the slots that are there, which once a ring has gone round is every
    /// slot. <paramref name="only"/> is a further condition on e ("AND ...") or "".
    /// </summary>
    private static string ChangedEvents(string only) =>
        $"changed_events AS (UPDATE events v SET {Events.Assignments("e", "monitor_id", "slot")} FROM {Events.Unnest("e")} " +
        $"WHERE v.monitor_id = e.monitor_id AND v.slot = e.slot {only} RETURNING v.monitor_id, v.slot)";

    /// <summary>
    /// The second half: inserting the events whose slot was not there (a ring's first round, or
    /// events pruned). Both halves together cost PostgreSQL less than one upsert of every event,
    /// whose conflict check and row lock come on top of the update.
    /// </summary>
    private static string AddedEvents(string only) =>
        $"INSERT INTO events ({Events.Names}) SELECT {Events.Names} FROM {Events.Unnest("e")} " +
        $"WHERE NOT EXISTS (SELECT FROM changed_events c WHERE c.monitor_id = e.monitor_id AND c.slot = e.slot) {only} " + EventUpdates;

    /// <summary>Many events in one statement, each into its slot of its monitor's ring.</summary>
    private static readonly string UpsertEvents = $"WITH {ChangedEvents("")} {AddedEvents("")}";

    /// <summary>Many monitors' state columns in one statement, answering each row's new version.</summary>
    private static readonly string UpdateStates =
        $"UPDATE monitors m SET {States.Assignments("u")} FROM {States.Unnest("u")} WHERE m.id = u.id RETURNING m.id, m.xmin::text";

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
    /// Records <paramref name="pushes"/>, in their order per monitor. Pushes to monitors whose row
    /// this server knows (<see cref="KnownRows"/>) and that change only routine state are written
    /// without reading the row first, on condition that it is still the version known: a batch of
    /// only those is one statement, a transaction of its own. The others, and any whose row changed
    /// meanwhile, take the locking way (<see cref="RecordLockedAsync"/>).
    /// </summary>
    private async Task<IReadOnlyList<SignalResult>> RecordTogetherAsync(IReadOnlyList<Push> pushes, CancellationToken ct)
    {
        var results = new SignalResult?[pushes.Count];
        var (known, locked) = _knownRows.Plan(pushes);
        var learned = new List<KnownRows.Row>();
        if (locked.Count == 0)
        {
            // The usual batch under load: one statement, which is a transaction of its own (no
            // BEGIN, no COMMIT to send).
            Take(known, await ReadAsync(s => WriteKnownAsync(s, known), ct, _pushSource), results, learned, locked);
            if (locked.Count > 0)
            {
                // Those committed stay so; the pushes whose row had changed go the locking way now.
                var done = results.Select(r => r is not null).ToArray();
                try
                {
                    learned.AddRange(await InTransactionAsync(s => RecordLockedAsync(s, pushes, locked, results), ct, committedByWork: true, _pushSource));
                }
                catch (Exception ex)
                {
                    _knownRows.Learn(learned);
                    throw new PartlyCommittedException<SignalResult>(done, results, ex);
                }
            }
        }
        else
        {
            await InTransactionAsync(async s =>
            {
                if (known.Count > 0)
                {
                    Take(known, await WriteKnownAsync(s, known), results, learned, locked);
                }
                learned.AddRange(await RecordLockedAsync(s, pushes, locked, results));
                return true;
            }, ct, committedByWork: true, _pushSource);
        }
        _knownRows.Learn(learned);
        return results!;
    }

    /// <summary>
    /// Sorts the known groups by whether their rows were <paramref name="written"/>: the results
    /// and new rows of those that were, the pushes of the others added to <paramref name="locked"/> (kept in order).
    /// </summary>
    private void Take(List<KnownRows.Group> known, Dictionary<string, string> written, SignalResult?[] results, List<KnownRows.Row> learned, List<int> locked)
    {
        foreach (var group in known)
        {
            if (written.TryGetValue(group.Before.Id, out var version))
            {
                group.Indexes.ForEach(i => results[i] = group.Results[i]);
                learned.Add(new KnownRows.Row(group.After, version));
            }
            else
            {
                // Changed since this server wrote it (another server, a sweep, an edit).
                _knownRows.Forget(group.Before.Id);
                locked.AddRange(group.Indexes);
            }
        }
        locked.Sort();
    }

    /// <summary>
    /// The locking way, for the pushes at <paramref name="indexes"/> (in order): the monitors are
    /// locked in id order, as the sweeps lock them, so batches on several servers cannot deadlock
    /// each other. Sends the COMMIT with its last writes. Returns the rows it wrote that only
    /// routine pushes changed, to be known from now on.
    /// </summary>
    private async Task<List<KnownRows.Row>> RecordLockedAsync(Session s, IReadOnlyList<Push> pushes, List<int> indexes, SignalResult?[] results)
    {
        var batch = indexes.ConvertAll(i => pushes[i]);
        // Only the keys this batch uses, so that each condition is one index look-up.
        var keys = new (string Column, string[] Values)[]
        {
            ("push_token", batch.Select(p => p.Address.Token).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
            ("slug", batch.Where(p => p.Address.Token is null).Select(p => p.Address.Slug).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
            ("id", batch.Where(p => p.Address is { Token: null, Slug: null }).Select(p => p.Address.MonitorId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
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
        // Monitors written by the full transition: their rows are not learned.
        var applied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in indexes)
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
            if (!IsRoutine(flip, signal))
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
                applied.Add(id);
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
        return [.. writes.Versions.Where(v => !applied.Contains(v.Key)).Select(v => new KnownRows.Row(byId[v.Key], v.Value))];
    }

    /// <summary>
    /// Whether a signal changes only a monitor's state columns: no alert, no incident, no check
    /// rollup. Such a signal is written by one update of the row.
    /// </summary>
    private static bool IsRoutine(Flip flip, Signal signal) =>
        signal.Kind != SignalKind.Check && flip.Incident == IncidentChange.None && flip.Notice is null;

    /// <summary>
    /// Writes the known rows' pushes in one statement: each monitor's row is updated only if its
    /// version (<c>xmin</c>, which every write of a row changes) is still the one this server
    /// wrote, and its events are stored only if the row was. Returns the new version of each row
    /// written; a row missing from it changed meanwhile and nothing of its pushes was stored.
    /// </summary>
    private static async Task<Dictionary<string, string>> WriteKnownAsync(Session s, List<KnownRows.Group> groups)
    {
        // A later event in a slot replaces an earlier one, as it would have overwritten it.
        var events = new Dictionary<(object, object), (string, object?)[]>();
        foreach (var row in groups.SelectMany(g => g.Events))
        {
            events[PendingWrites.SlotOf(row)] = row;
        }
        await using var batch = s.Batch();
        var write = new NpgsqlBatchCommand(WriteKnown);
        KnownStates.AddTo(write.Parameters, [.. groups.Select(g => MonitorRows.StateParameters(g.After).Append(("@version", g.Version)).ToArray())]);
        Events.AddTo(write.Parameters, [.. events.Values]);
        batch.BatchCommands.Add(write);
        return await ReadVersionsAsync(batch, s.Ct);
    }

    /// <summary>
    /// Runs <paramref name="batch"/> and reads the (id, version) rows its statements answer; a
    /// failed statement, or a failed commit at its end, throws.
    /// </summary>
    private static async Task<Dictionary<string, string>> ReadVersionsAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        do
        {
            while (reader.FieldCount == 2 && await reader.ReadAsync(ct))
            {
                versions[reader.GetString(0)] = reader.GetString(1);
            }
        }
        while (await reader.NextResultAsync(ct));
        return versions;
    }

    /// <summary>The known rows' state columns and the version each was known at.</summary>
    private static readonly ColumnArrays KnownStates = States.With(("version", "text"));

    /// <summary>The statement of <see cref="WriteKnownAsync"/>.</summary>
    private static readonly string WriteKnown =
        $"WITH written AS (UPDATE monitors m SET {States.Assignments("u")} FROM {KnownStates.Unnest("u")} WHERE m.id = u.id AND m.xmin = u.version::xid" +
        " RETURNING m.id, m.xmin::text AS version), " +
        $"{ChangedEvents(OfWrittenRows)}, added_events AS ({AddedEvents(OfWrittenRows)}) SELECT id, version FROM written";

    /// <summary>The condition that keeps a known row's events to rows <see cref="WriteKnown"/> updated.</summary>
    private const string OfWrittenRows = "AND e.monitor_id IN (SELECT id FROM written)";

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
    /// one every monitor's state, sent together in one round trip, their rows passed as one array
    /// per column (<see cref="ColumnArrays"/>). A later write of the same event slot or monitor
    /// replaces an earlier one, as it would have overwritten it.
    /// </summary>
    private sealed class PendingWrites(Session session)
    {
        private readonly Dictionary<(object MonitorId, object Slot), (string, object?)[]> _events = [];
        private readonly Dictionary<object, (string, object?)[]> _states = [];

        /// <summary>The new version (<c>xmin</c>) of each monitor row flushed so far, by id.</summary>
        public Dictionary<string, string> Versions { get; } = new(StringComparer.Ordinal);

        public void AddEvent((string Name, object? Value)[] row) => _events[SlotOf(row)] = row;

        /// <summary>The ring slot an event's row is written to: its monitor and slot.</summary>
        public static (object MonitorId, object Slot) SlotOf((string Name, object? Value)[] row) =>
            (Value(row, "@monitor_id"), Value(row, "@slot"));

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
                batch.BatchCommands.Add(Rows(UpsertEvents, Events, _events.Values));
            }
            if (_states.Count > 0)
            {
                batch.BatchCommands.Add(Rows(UpdateStates, States, _states.Values));
            }
            if (commit)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            }
            _events.Clear();
            _states.Clear();
            foreach (var (id, version) in await ReadVersionsAsync(batch, session.Ct))
            {
                Versions[id] = version;
            }
        }

        private static NpgsqlBatchCommand Rows(string sql, ColumnArrays columns, IEnumerable<(string Name, object? Value)[]> rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            columns.AddTo(command.Parameters, [.. rows]);
            return command;
        }
    }
}
