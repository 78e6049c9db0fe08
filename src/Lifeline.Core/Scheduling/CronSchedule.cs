using System.Globalization;
using System.Numerics;

namespace Lifeline.Core;

/// <summary>
/// A five-field cron expression (minute hour day-of-month month day-of-week) evaluated in an IANA
/// time zone, as Debian's cron runs it. Supports lists, ranges, steps, names (jan, mon), 7 for
/// Sunday, the macros @hourly @daily @midnight @weekly @monthly @yearly @annually, and the
/// extensions Healthchecks accepts: <c>L</c> (last day) and <c>LW</c> (last weekday) in the day of
/// month, <c>5L</c> (last Friday) and <c>1#2</c> (second Monday) in the day of week. When both day
/// fields are restricted (neither starts with <c>*</c>) a day matches either, as in classic cron.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>How far ahead <see cref="Next"/> looks: "the fifth Monday of February" recurs up to 40 years apart.</summary>
    private const int HorizonYears = 50;

    private CronSchedule(string expression, TimeZoneInfo zone)
    {
        Expression = expression;
        Zone = zone;
    }

    public string Expression { get; }
    public TimeZoneInfo Zone { get; }

    private ulong Minutes { get; init; }
    private ulong Hours { get; init; }
    private ulong Months { get; init; }
    private ulong Days { get; init; }
    private bool LastDay { get; init; }
    private bool LastWeekday { get; init; }
    private ulong Weekdays { get; init; }

    /// <summary>Weekdays whose last occurrence in the month matches (<c>5L</c>): bit = weekday, Sunday 0.</summary>
    private ulong LastOfWeekdays { get; init; }

    /// <summary>K-th weekdays of the month (<c>1#2</c>): bit 7 * (k - 1) + weekday.</summary>
    private ulong NthWeekdays { get; init; }

    /// <summary>Either day field starts with <c>*</c>: a day must match both, otherwise either.</summary>
    private bool DaysMatchBoth { get; init; }

    /// <summary>
    /// Neither the minute nor the hour field starts with <c>*</c>. Debian cron runs such a job once
    /// on daylight-saving days: right after a forward jump when its time fell in the gap, and only
    /// in the first pass of a repeated hour. Other ("wildcard") jobs follow the clock: they skip
    /// times that do not exist and run in both passes.
    /// </summary>
    internal bool FixedTime { get; private init; }

    /// <summary>Finds an IANA (or Windows) time zone by id.</summary>
    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out zone!);
    }

    /// <summary>Parses an expression; on failure <paramref name="error"/> says which field and why.</summary>
    public static CronSchedule? TryParse(string? expression, string? timeZone, out string? error)
    {
        error = null;
        if (!TryFindZone(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone, out var zone))
        {
            error = $"unknown time zone '{timeZone}'";
            return null;
        }
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "empty cron expression";
            return null;
        }
        var text = expression.Trim();
        var expanded = text.ToLowerInvariant() switch
        {
            "@hourly" => "0 * * * *",
            "@daily" or "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" or "@annually" => "0 0 1 1 *",
            _ => text,
        };
        var fields = expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"a cron expression has 5 fields (minute hour day month weekday), got {fields.Length}";
            return null;
        }
        var days = new DayOfMonthField();
        var weekdays = new DayOfWeekField();
        if (!TryParseField(fields[0], 0, 59, null, "minute", out var minutes, out error)
            || !TryParseField(fields[1], 0, 23, null, "hour", out var hours, out error)
            || !TryParseDayOfMonth(fields[2], ref days, out error)
            || !TryParseField(fields[3], 1, 12, MonthNames, "month", out var months, out error)
            || !TryParseDayOfWeek(fields[4], ref weekdays, out error))
        {
            return null;
        }
        var schedule = new CronSchedule(text, zone)
        {
            Minutes = minutes,
            Hours = hours,
            Days = days.Days,
            LastDay = days.Last,
            LastWeekday = days.LastWeekday,
            Months = months,
            Weekdays = weekdays.Days,
            LastOfWeekdays = weekdays.LastOf,
            NthWeekdays = weekdays.Nth,
            DaysMatchBoth = fields[2].StartsWith('*') || fields[4].StartsWith('*'),
            FixedTime = !fields[0].StartsWith('*') && !fields[1].StartsWith('*'),
        };
        try
        {
            // 30 February and the like: valid fields, but no date ever matches.
            schedule.Next(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        }
        catch (InvalidOperationException)
        {
            error = $"'{text}' never fires (no date matches its day and month fields)";
            return null;
        }
        return schedule;
    }

    private struct DayOfMonthField
    {
        public ulong Days;
        public bool Last;
        public bool LastWeekday;
    }

    private struct DayOfWeekField
    {
        public ulong Days;
        public ulong LastOf;
        public ulong Nth;
    }

    private static bool TryParseDayOfMonth(string field, ref DayOfMonthField result, out string? error)
    {
        error = null;
        foreach (var part in field.Split(','))
        {
            switch (part.ToUpperInvariant())
            {
                case "L":
                    result.Last = true;
                    break;
                case "LW":
                    result.LastWeekday = true;
                    break;
                default:
                    if (!TryParseField(part, 1, 31, null, "day of month", out var bits, out error))
                    {
                        return false;
                    }
                    result.Days |= bits;
                    break;
            }
        }
        return true;
    }

    private static bool TryParseDayOfWeek(string field, ref DayOfWeekField result, out string? error)
    {
        error = null;
        foreach (var part in field.Split(','))
        {
            var hash = part.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                // n#k: the k-th weekday n of the month.
                if (!TryParseValue(part[..hash], DayNames, 0, out var day) || day > 7
                    || !int.TryParse(part[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var week) || week is < 1 or > 5)
                {
                    error = $"bad value in day of week field '{field}' (n#k needs a weekday 0-7 or a name and a week 1-5)";
                    return false;
                }
                result.Nth |= 1UL << (7 * (week - 1) + day % 7);
            }
            else if (part.Length > 1 && part.EndsWith("L", StringComparison.OrdinalIgnoreCase))
            {
                // nL: the last weekday n of the month.
                if (!int.TryParse(part[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var day) || day > 7)
                {
                    error = $"bad value in day of week field '{field}' (nL needs a weekday 0-7)";
                    return false;
                }
                result.LastOf |= 1UL << (day % 7);
            }
            else
            {
                if (!TryParseField(part, 0, 7, DayNames, "day of week", out var bits, out error))
                {
                    return false;
                }
                result.Days |= bits;
            }
        }
        if ((result.Days & (1UL << 7)) != 0)
        {
            result.Days = (result.Days | 1UL) & ~(1UL << 7);
        }
        return true;
    }

    private static bool TryParseField(string field, int min, int max, string[]? names, string label, out ulong bits, out string? error)
    {
        bits = 0;
        error = null;
        foreach (var part in field.Split(','))
        {
            var step = 1;
            var rangeText = part;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                {
                    error = $"bad step in {label} field '{field}'";
                    return false;
                }
                rangeText = part[..slash];
            }
            int lo, hi;
            if (rangeText == "*")
            {
                lo = min;
                hi = names == DayNames ? 6 : max;
            }
            else
            {
                var dash = rangeText.IndexOf('-', StringComparison.Ordinal);
                var ok = dash >= 0
                    ? TryParseValue(rangeText[..dash], names, min, out lo) & TryParseValue(rangeText[(dash + 1)..], names, min, out hi)
                    : TryParseValue(rangeText, names, min, out lo) & TryParseValue(rangeText, names, min, out hi);
                if (!ok)
                {
                    error = $"bad value in {label} field '{field}'";
                    return false;
                }
                if (dash < 0 && slash >= 0)
                {
                    hi = max;
                }
                if (lo < min || hi > max || lo > hi)
                {
                    error = $"{label} field '{field}' is out of range {min}-{max}";
                    return false;
                }
            }
            for (var v = lo; v <= hi; v += step)
            {
                bits |= 1UL << v;
            }
        }
        return true;
    }

    private static bool TryParseValue(string text, string[]? names, int min, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        if (names is not null)
        {
            var index = Array.IndexOf(names, text.ToUpperInvariant());
            if (index >= 0)
            {
                value = index + min;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The first time after <paramref name="after"/> (strictly) that Debian's cron would run the job.
    /// On daylight-saving days a wildcard job (minute or hour field starting with <c>*</c>) skips
    /// wall-clock times that do not exist and runs in both passes of a repeated hour; a fixed-time
    /// job whose time falls in a gap runs once, right after the jump, and in a repeated hour it runs
    /// only in the first pass.
    /// </summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        // `at` is the last whole minute not after `after`; the first minute that may fire comes next.
        // Its offset is taken from `at`, so an offset change right at that next minute is still seen.
        var utc = after.UtcDateTime;
        var at = new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var offset = Zone.GetUtcOffset(at);
        // `floor` is the earliest wall-clock reading that may still fire.
        var floor = WallClock(at.AddMinutes(1), offset);
        if (FixedTime)
        {
            // In the second pass of a repeated hour, the first pass already ran the fixed-time jobs
            // up to where it ended.
            var dayBefore = at.AddDays(-1);
            var offsetBefore = Zone.GetUtcOffset(dayBefore);
            if (offsetBefore > offset && FirstOffsetChange(dayBefore, at, offsetBefore) is { } fallBack)
            {
                var firstPassEnd = WallClock(fallBack, offsetBefore);
                floor = firstPassEnd > floor ? firstPassEnd : floor;
            }
        }
        var limit = floor.AddYears(HorizonYears);
        // Between offset changes the wall clock keeps pace with real time, so the next matching
        // reading fires at reading - offset, unless the offset changes first; then start again there.
        while (NextMatch(floor, limit) is { } wall)
        {
            var firing = new DateTimeOffset(wall, offset).ToOffset(TimeSpan.Zero);
            if (FirstOffsetChange(at, firing, offset) is not { } change)
            {
                return firing;
            }
            var newOffset = Zone.GetUtcOffset(change);
            var oldReading = WallClock(change, offset);
            var newReading = WallClock(change, newOffset);
            if (newOffset > offset)
            {
                // Forward: readings from oldReading up to newReading never happen.
                if (FixedTime && wall < newReading)
                {
                    return change;
                }
                floor = newReading;
            }
            else
            {
                // Backward: readings from newReading up to oldReading come a second time.
                floor = FixedTime ? oldReading : newReading;
            }
            at = change;
            offset = newOffset;
        }
        throw new InvalidOperationException($"cron expression '{Expression}' never fires");
    }

    private static DateTime WallClock(DateTimeOffset instant, TimeSpan offset) => instant.ToOffset(offset).DateTime;

    /// <summary>The first whole minute in (from, to] where the zone's offset is no longer <paramref name="offset"/>.</summary>
    private DateTimeOffset? FirstOffsetChange(DateTimeOffset from, DateTimeOffset to, TimeSpan offset)
    {
        // Zones change offset a few times a year, never twice in a day: step a day at a time,
        // then halve the day that holds the change down to the minute.
        var lo = from;
        while (lo < to)
        {
            var hi = lo.AddDays(1) < to ? lo.AddDays(1) : to;
            if (Zone.GetUtcOffset(hi) != offset)
            {
                while (hi - lo > TimeSpan.FromMinutes(1))
                {
                    var mid = lo.AddMinutes(Math.Floor((hi - lo).TotalMinutes / 2));
                    if (Zone.GetUtcOffset(mid) == offset)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }
                return hi;
            }
            lo = hi;
        }
        return null;
    }

    /// <summary>The first wall-clock minute at or after <paramref name="from"/> that the fields match, ignoring time zones.</summary>
    private DateTime? NextMatch(DateTime from, DateTime limit)
    {
        var t = new DateTime(from.Ticks - from.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Unspecified);
        if (t < from)
        {
            t = t.AddMinutes(1);
        }
        while (t < limit)
        {
            if (!Has(Months, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }
            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            var hour = FirstAtOrAfter(Hours, t.Hour);
            if (hour < 0)
            {
                t = t.Date.AddDays(1);
                continue;
            }
            var minute = FirstAtOrAfter(Minutes, hour == t.Hour ? t.Minute : 0);
            if (minute < 0)
            {
                t = t.Date.AddHours(hour + 1);
                continue;
            }
            return t.Date.AddHours(hour).AddMinutes(minute);
        }
        return null;
    }

    /// <summary>Whether the fields match a wall-clock minute, ignoring time zones.</summary>
    internal bool Matches(DateTime wallClock) =>
        Has(Months, wallClock.Month) && DayMatches(wallClock) && Has(Hours, wallClock.Hour) && Has(Minutes, wallClock.Minute);

    private static bool Has(ulong bits, int value) => (bits & (1UL << value)) != 0;

    private static int FirstAtOrAfter(ulong bits, int value)
    {
        var rest = bits >> value;
        return rest == 0 ? -1 : value + BitOperations.TrailingZeroCount(rest);
    }

    private bool DayMatches(DateTime date)
    {
        var lastDay = DateTime.DaysInMonth(date.Year, date.Month);
        var weekday = (int)date.DayOfWeek;
        var dayOfMonth = Has(Days, date.Day)
            || (LastDay && date.Day == lastDay)
            || (LastWeekday && date.Day == LastWeekdayOfMonth(date.Year, date.Month, lastDay));
        var dayOfWeek = Has(Weekdays, weekday)
            || (Has(LastOfWeekdays, weekday) && date.Day + 7 > lastDay)
            || Has(NthWeekdays, 7 * ((date.Day - 1) / 7) + weekday);
        return DaysMatchBoth ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }

    private static int LastWeekdayOfMonth(int year, int month, int lastDay) =>
        new DateTime(year, month, lastDay, 0, 0, 0, DateTimeKind.Unspecified).DayOfWeek switch
        {
            DayOfWeek.Saturday => lastDay - 1,
            DayOfWeek.Sunday => lastDay - 2,
            _ => lastDay,
        };
}
