using System.Text;
using Lifeline.Core.Probes;

namespace Lifeline.Cli.Probe;

/// <summary>
/// When each assigned check runs next. A check runs on its own grid of slots, every interval from
/// a phase derived from its id (stable across restarts and probes), so thousands of checks with the
/// same interval spread over it instead of firing together. A new assignment keeps the due time of
/// an unchanged check; a changed interval moves it to the new grid; a re-check request later than
/// the check's last run makes it due at once. A check still running when its next slot comes skips
/// that slot. Thread-safe; time is always passed in.
/// </summary>
internal sealed class CheckSchedule
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset Due, string Id)> _queue = new();

    private sealed class Entry(ProbeCheck check)
    {
        public ProbeCheck Check { get; set; } = check;
        public DateTimeOffset Due { get; set; }
        public DateTimeOffset? LastRun { get; set; }
        public DateTimeOffset? HonouredRecheck { get; set; }
        public bool Running { get; set; }
        public TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, Check.Interval));
    }

    /// <summary>Checks assigned.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The earliest due time, or null without checks.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count == 0 ? null : _queue.Min.Due;
            }
        }
    }

    /// <summary>The due time of one check, or null when it is not assigned.</summary>
    public DateTimeOffset? DueOf(string id)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(id, out var entry) ? entry.Due : null;
        }
    }

    /// <summary>Replaces the set of checks with <paramref name="checks"/> (the full set, as the server sends it).</summary>
    public void Update(IReadOnlyList<ProbeCheck> checks, DateTimeOffset now)
    {
        lock (_gate)
        {
            var wanted = checks.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _entries.Keys.Where(id => !wanted.Contains(id)).ToList())
            {
                _queue.Remove((_entries[gone].Due, gone));
                _entries.Remove(gone);
            }
            foreach (var check in checks)
            {
                if (!_entries.TryGetValue(check.Id, out var entry))
                {
                    entry = new Entry(check);
                    _entries[check.Id] = entry;
                    Move(entry, NextSlot(check.Id, entry.Interval, now));
                }
                else
                {
                    var oldInterval = entry.Interval;
                    entry.Check = check;
                    if (entry.Interval != oldInterval)
                    {
                        Move(entry, NextSlot(check.Id, entry.Interval, now));
                    }
                }
                if (check.RecheckAt is { } recheck && recheck != entry.HonouredRecheck)
                {
                    entry.HonouredRecheck = recheck;
                    if (entry.LastRun is null || recheck > entry.LastRun)
                    {
                        Move(entry, now);
                    }
                }
            }
        }
    }

    /// <summary>The checks due at <paramref name="now"/>, marked running; each is given its next slot.</summary>
    public IReadOnlyList<ProbeCheck> TakeDue(DateTimeOffset now)
    {
        var due = new List<ProbeCheck>();
        lock (_gate)
        {
            while (_queue.Count > 0 && _queue.Min.Due <= now)
            {
                var entry = _entries[_queue.Min.Id];
                // The next slot strictly after now: a run at an off-grid time (a re-check) goes back to the grid.
                Move(entry, NextSlot(entry.Check.Id, entry.Interval, now.AddTicks(1)));
                if (entry.Running)
                {
                    continue;
                }
                entry.Running = true;
                entry.LastRun = now;
                due.Add(entry.Check);
            }
        }
        return due;
    }

    /// <summary>The run of <paramref name="id"/> ended.</summary>
    public void Finished(string id)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(id, out var entry))
            {
                entry.Running = false;
            }
        }
    }

    private void Move(Entry entry, DateTimeOffset due)
    {
        _queue.Remove((entry.Due, entry.Check.Id));
        entry.Due = due;
        _queue.Add((due, entry.Check.Id));
    }

    /// <summary>The check's offset within its interval, from a hash of its id (FNV-1a, the same on every machine).</summary>
    public static TimeSpan Phase(string id, TimeSpan interval)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        var ms = (long)interval.TotalMilliseconds;
        return TimeSpan.FromMilliseconds((long)(hash % (ulong)Math.Max(1, ms)));
    }

    /// <summary>The first slot of the check's grid at or after <paramref name="from"/>: phase + k × interval from the Unix epoch.</summary>
    public static DateTimeOffset NextSlot(string id, TimeSpan interval, DateTimeOffset from)
    {
        var step = interval.Ticks;
        var phase = Phase(id, interval).Ticks;
        var since = from.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - phase;
        var k = since <= 0 ? -((-since) / step) : (since + step - 1) / step;
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + phase + k * step, TimeSpan.Zero);
    }
}
