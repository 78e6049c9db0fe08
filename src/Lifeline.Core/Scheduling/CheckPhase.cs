namespace Lifeline.Core;

/// <summary>
/// Spreads active checks over their interval: each monitor gets a stable offset within its
/// interval, derived from its id, and its checks start on <c>k * interval + offset</c>. Many
/// monitors with one interval then start at different moments instead of all at once, and the
/// schedule does not drift with how long each check takes.
/// </summary>
public static class CheckPhase
{
    /// <summary>The monitor's offset within its interval, in [0, interval).</summary>
    public static TimeSpan Offset(string id, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(id);
        var intervalMs = Math.Max(1L, (long)interval.TotalMilliseconds);
        // FNV-1a: string.GetHashCode changes from process to process, the phase must not.
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return TimeSpan.FromMilliseconds((long)(hash % (ulong)intervalMs));
    }

    /// <summary>
    /// The first slot of the monitor at least half an interval after <paramref name="after"/>, so a
    /// check that ran late is not followed at once by the next one.
    /// </summary>
    public static DateTimeOffset NextSlot(Monitor monitor, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var intervalMs = Math.Max(1L, (long)monitor.Interval.TotalMilliseconds);
        var offsetMs = (long)Offset(monitor.Id, monitor.Interval).TotalMilliseconds;
        var earliest = after.ToUnixTimeMilliseconds() + (intervalMs / 2);
        var slots = (earliest - offsetMs + intervalMs - 1) / intervalMs;
        return DateTimeOffset.FromUnixTimeMilliseconds((slots * intervalMs) + offsetMs);
    }
}
