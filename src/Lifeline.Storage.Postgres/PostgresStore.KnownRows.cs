using System.Collections.Concurrent;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore
{
    private readonly KnownRows _knownRows;

    /// <summary>
    /// The monitor rows this server last wrote with routine pushes, each with its version: the
    /// row's <c>xmin</c>, the id of the transaction that wrote it, which any later write of the row
    /// (by any server, a sweep, an edit) changes. A push to a known row is computed from it here
    /// and written on condition that the version is unchanged, so the usual push needs no locking
    /// read. Nothing here is trusted: a row whose version moved on is read and locked as before.
    /// <para>
    /// Holds at most <see cref="PostgresOptions.KnownRows"/> rows; past that, it forgets them all
    /// and learns again from the next writes.
    /// </para>
    /// </summary>
    private sealed class KnownRows(PostgresStore store, int capacity)
    {
        public sealed record Row(Monitor Monitor, string Version);

        /// <summary>A known row's pushes in one batch, computed one after another from it.</summary>
        public sealed class Group(Row known)
        {
            public Monitor Before => known.Monitor;
            public string Version => known.Version;
            public Monitor After { get; set; } = known.Monitor;
            public List<int> Indexes { get; } = [];
            public Dictionary<int, SignalResult> Results { get; } = [];
            public List<(string, object?)[]> Events { get; } = [];
            /// <summary>A push of the group is more than routine: the whole group goes the locking way.</summary>
            public bool Spoiled { get; set; }
        }

        private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _addresses = new(StringComparer.Ordinal);

        /// <summary>
        /// Splits a batch into the groups of known rows whose pushes are all routine and the indexes
        /// of the other pushes (in order), which take the locking way.
        /// </summary>
        public (List<Group> Known, List<int> Locked) Plan(IReadOnlyList<Push> pushes)
        {
            var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
            var locked = new List<int>();
            for (var i = 0; i < pushes.Count; i++)
            {
                var (address, signal) = pushes[i];
                if (Find(address) is not { } row)
                {
                    locked.Add(i);
                    continue;
                }
                if (!groups.TryGetValue(row.Monitor.Id, out var group))
                {
                    groups[row.Monitor.Id] = group = new Group(row);
                }
                group.Indexes.Add(i);
                if (group.Spoiled)
                {
                    continue;
                }
                var before = group.After;
                signal = before.PingRules.Sort(signal);
                var flip = MonitorMachine.OnSignal(before, signal);
                if (!IsRoutine(flip, signal))
                {
                    group.Spoiled = true;
                    continue;
                }
                group.Events.Add(store.EventParameters(before, flip, signal));
                group.After = flip.Next;
                group.Results[i] = new SignalResult(SignalOutcome.Recorded, flip.Next);
            }
            // A monitor some push names by id goes the locking way as a whole: its pushes stay in order,
            // and a row the locking way rewrites in this transaction is not learned from the known way.
            foreach (var i in locked)
            {
                if (pushes[i].Address.MonitorId is { } id && groups.TryGetValue(id, out var named))
                {
                    named.Spoiled = true;
                }
            }
            var known = new List<Group>(groups.Count);
            // In id order, as the locking way and the sweeps lock rows.
            foreach (var group in groups.Values.OrderBy(g => g.Before.Id, StringComparer.Ordinal))
            {
                if (group.Spoiled)
                {
                    locked.AddRange(group.Indexes);
                }
                else
                {
                    known.Add(group);
                }
            }
            locked.Sort();
            return (known, locked);
        }

        /// <summary>The known row an address names, if its token or slug was the row's when known.</summary>
        private Row? Find(SignalAddress address)
        {
            if (address.CreateIfMissing is not null || address.MonitorId is not null)
            {
                return null;
            }
            var key = address.Token is { } token ? "t" + token : address.Slug is { } slug ? "s" + slug : null;
            if (key is null || !_addresses.TryGetValue(key, out var id) || !_rows.TryGetValue(id, out var row))
            {
                return null;
            }
            var named = address.Token is not null ? row.Monitor.PushToken == address.Token : row.Monitor.Slug == address.Slug;
            return named ? row : null;
        }

        /// <summary>Keeps rows just committed, replacing what was known of them.</summary>
        public void Learn(IEnumerable<Row> rows)
        {
            if (capacity <= 0)
            {
                return;
            }
            foreach (var row in rows)
            {
                if ((_rows.Count >= capacity && !_rows.ContainsKey(row.Monitor.Id)) || _addresses.Count >= 2 * capacity)
                {
                    _rows.Clear();
                    _addresses.Clear();
                }
                _rows[row.Monitor.Id] = row;
                if (row.Monitor.PushToken is { } token)
                {
                    _addresses["t" + token] = row.Monitor.Id;
                }
                if (row.Monitor.Slug is { } slug)
                {
                    _addresses["s" + slug] = row.Monitor.Id;
                }
            }
        }

        /// <summary>Drops a row that changed since it was known.</summary>
        public void Forget(string id) => _rows.TryRemove(id, out _);
    }
}
