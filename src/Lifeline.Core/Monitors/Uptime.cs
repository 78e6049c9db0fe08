namespace Lifeline.Core;

/// <summary>
/// Uptime as time not covered by incidents: the share of a window during which a monitor had no
/// incident open. The window starts no earlier than the monitor's creation; a window that lies
/// wholly before it has no uptime (null).
/// </summary>
public static partial class Uptime
{
    /// <summary>The share (0..1) of [<paramref name="from"/>, <paramref name="to"/>) with no incident open; null when the window is empty.</summary>
    public static double? Of(IEnumerable<Incident> incidents, DateTimeOffset from, DateTimeOffset to, DateTimeOffset? createdAt = null)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        return Ratio(incidents, createdAt ?? from, from, to);
    }

    /// <summary>
    /// Uptime per UTC day for the <paramref name="days"/> days up to and including the day of
    /// <paramref name="now"/>, oldest first; the current day counts only up to <paramref name="now"/>.
    /// </summary>
    public static IReadOnlyList<DayUptime> Daily(IReadOnlyCollection<Incident> incidents, DateTimeOffset now, int days, DateTimeOffset? createdAt = null)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var result = new List<DayUptime>(days);
        for (var i = days - 1; i >= 0; i--)
        {
            var start = today.AddDays(-i);
            var end = start.AddDays(1) < now ? start.AddDays(1) : now;
            var from = createdAt is { } c && c > start ? c : start;
            var down = end > from ? Downtime(incidents, from, end, now: end) : TimeSpan.Zero;
            result.Add(new DayUptime(DateOnly.FromDateTime(start.UtcDateTime), Of(incidents, start, end, createdAt), down));
        }
        return result;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>One day of <see cref="Uptime.Daily"/>: its share up (null before the monitor existed) and how long it was down.</summary>
public sealed record DayUptime(DateOnly Day, double? Share, TimeSpan Down);
