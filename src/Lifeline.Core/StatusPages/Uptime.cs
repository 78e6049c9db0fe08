namespace Lifeline.Core;

/// <summary>
/// Uptime from a monitor's incidents: the time not covered by an incident, over the time the
/// monitor existed. An open incident lasts until <c>now</c>. Pure functions of their arguments.
/// </summary>
public static partial class Uptime
{
    /// <summary>
    /// The share of [<paramref name="from"/>, <paramref name="to"/>) after <paramref name="since"/> (the
    /// monitor's creation) not covered by <paramref name="incidents"/>; null when none of it is after
    /// <paramref name="since"/>. Overlapping incidents count once.
    /// </summary>
    public static double? Ratio(IEnumerable<Incident> incidents, DateTimeOffset since, DateTimeOffset from, DateTimeOffset to)
    {
        var start = since > from ? since : from;
        if (to <= start)
        {
            return null;
        }
        var down = Downtime(incidents, start, to, now: to);
        return 1 - (down / (to - start));
    }

    /// <summary>
    /// One entry per UTC day for the last <paramref name="days"/> days up to <paramref name="now"/>,
    /// oldest first; today runs until <paramref name="now"/>.
    /// </summary>
    public static IReadOnlyList<UptimeDay> Daily(IEnumerable<Incident> incidents, DateTimeOffset since, DateTimeOffset now, int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var list = incidents as IReadOnlyList<Incident> ?? [.. incidents];
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var result = new UptimeDay[days];
        for (var i = 0; i < days; i++)
        {
            var dayStart = today.AddDays(i - days + 1);
            var dayEnd = i == days - 1 ? now : dayStart.AddDays(1);
            var start = since > dayStart ? since : dayStart;
            var day = DateOnly.FromDateTime(dayStart.UtcDateTime);
            if (dayEnd <= start)
            {
                result[i] = new UptimeDay(day, null, TimeSpan.Zero);
                continue;
            }
            var down = Downtime(list, start, dayEnd, now);
            result[i] = new UptimeDay(day, 1 - (down / (dayEnd - start)), down);
        }
        return result;
    }

    /// <summary>The time in [from, to) covered by at least one incident; an open one runs until <paramref name="now"/>.</summary>
    public static TimeSpan Downtime(IEnumerable<Incident> incidents, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var spans = incidents
            .Select(i => (Start: i.StartedAt > from ? i.StartedAt : from, End: Min(i.EndedAt ?? now, to)))
            .Where(s => s.End > s.Start)
            .OrderBy(s => s.Start);
        var total = TimeSpan.Zero;
        DateTimeOffset? runStart = null;
        var runEnd = DateTimeOffset.MinValue;
        foreach (var (start, end) in spans)
        {
            // Spans sorted by start: one that begins after the current run ends closes the run.
            if (runStart is null || start > runEnd)
            {
                if (runStart is { } s)
                {
                    total += runEnd - s;
                }
                runStart = start;
                runEnd = end;
            }
            else if (end > runEnd)
            {
                runEnd = end;
            }
        }
        if (runStart is { } last)
        {
            total += runEnd - last;
        }
        return total;
    }

}
