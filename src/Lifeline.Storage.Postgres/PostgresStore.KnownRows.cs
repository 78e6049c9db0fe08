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
        /// <summary>Monitor ids by the push token and the slug they had when known.</summary>
        private readonly ConcurrentDictionary<string, string> _byToken = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _bySlug = new(StringComparer.Ordinal);

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
            var ordered = new List<Group>(groups.Values);
            // In id order, as the locking way and the sweeps lock rows.
            ordered.Sort((a, b) => string.CompareOrdinal(a.Before.Id, b.Before.Id));
            var known = new List<Group>(ordered.Count);
            foreach (var group in ordered)
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
            string? id = null;
            var found = address.Token is { } token ? _byToken.TryGetValue(token, out id)
                : address.Slug is { } slug && _bySlug.TryGetValue(slug, out id);
            if (!found || !_rows.TryGetValue(id!, out var row))
            {
                return null;
            }
            var named = address.Token is not null ? row.Monitor.PushToken == address.Token : row.Monitor.Slug == address.Slug;
            return named ? row : null;
        }

        /// <summary>Keeps rows just committed, replacing what was known of them.</summary>
        public void Learn(IReadOnlyCollection<Row> rows)
        {
            if (capacity <= 0 || rows.Count == 0)
            {
                return;
            }
            var fresh = 0;
            foreach (var row in rows)
            {
                fresh += _rows.ContainsKey(row.Monitor.Id) ? 0 : 1;
            }
            // Counting takes every lock of a concurrent dictionary: only when rows are new here.
            if (fresh > 0 && (_rows.Count + fresh > capacity || _byToken.Count + _bySlug.Count + 2 * fresh > 2 * capacity))
            {
                _rows.Clear();
                _byToken.Clear();
                _bySlug.Clear();
            }
            foreach (var row in rows)
            {
                var id = row.Monitor.Id;
                _rows[id] = row;
                Point(_byToken, row.Monitor.PushToken, id);
                Point(_bySlug, row.Monitor.Slug, id);
            }
        }

        /// <summary>Makes <paramref name="key"/> name <paramref name="id"/>, writing only when it names another.</summary>
        private static void Point(ConcurrentDictionary<string, string> addresses, string? key, string id)
        {
            if (key is not null && !(addresses.TryGetValue(key, out var named) && named == id))
            {
                addresses[key] = id;
            }
        }

        /// <summary>Drops a row that changed since it was known.</summary>
        public void Forget(string id) => _rows.TryRemove(id, out _);
    }
}
