using System.Globalization;

namespace Lifeline.Core;

/// <summary>
/// A five-field cron expression (minute hour day-of-month month day-of-week) evaluated in an IANA
/// time zone. Supports lists, ranges, steps, names (jan, mon), 7 for Sunday, and the macros
/// @hourly @daily @midnight @weekly @monthly @yearly @annually. When both day fields are
/// restricted a day matches either, as in classic cron.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _days;
    private readonly ushort _months;
    private readonly byte _weekdays;
    private readonly bool _dayOfMonthStar;
    private readonly bool _dayOfWeekStar;

    private CronSchedule(string expression, TimeZoneInfo zone, ulong minutes, uint hours, uint days, ushort months, byte weekdays, bool domStar, bool dowStar)
    {
        Expression = expression;
        Zone = zone;
        _minutes = minutes;
        _hours = hours;
        _days = days;
        _months = months;
        _weekdays = weekdays;
        _dayOfMonthStar = domStar;
        _dayOfWeekStar = dowStar;
    }

    public string Expression { get; }
    public TimeZoneInfo Zone { get; }

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
        if (!TryParseField(fields[0], 0, 59, null, "minute", out var minutes, out error)
            || !TryParseField(fields[1], 0, 23, null, "hour", out var hours, out error)
            || !TryParseField(fields[2], 1, 31, null, "day of month", out var days, out error)
            || !TryParseField(fields[3], 1, 12, MonthNames, "month", out var months, out error)
            || !TryParseField(fields[4], 0, 7, DayNames, "day of week", out var weekdays, out error))
        {
            return null;
        }
        if ((weekdays & (1UL << 7)) != 0)
        {
            weekdays = (weekdays | 1UL) & ~(1UL << 7);
        }
        var schedule = new CronSchedule(text, zone, minutes, (uint)hours, (uint)days, (ushort)months, (byte)weekdays,
            fields[2].StartsWith('*'), fields[4].StartsWith('*'));
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
    /// The first firing strictly after <paramref name="after"/>. Local times skipped by a
    /// daylight-saving jump fire at the first instant after the jump. A local time that occurs
    /// twice fires once, in the first pass, as system cron runs a job at a fixed time once; a
    /// schedule that fires every hour fires in both passes.
    /// </summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var afterUtc = after.UtcDateTime;
        // Start two hours back in local time so both passes of a repeated hour are considered.
        var local = TimeZoneInfo.ConvertTimeFromUtc(afterUtc, Zone).AddHours(-2);
        local = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified);
        DateTime? best = null;
        DateTime? firstHitLocal = null;
        var limit = local.AddYears(5);
        while (local < limit)
        {
            if ((_months & (1 << local.Month)) == 0)
            {
                local = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }
            if (!DayMatches(local))
            {
                local = local.Date.AddDays(1);
                continue;
            }
            if ((_hours & (1u << local.Hour)) == 0)
            {
                local = local.Date.AddHours(local.Hour + 1);
                continue;
            }
            if ((_minutes & (1UL << local.Minute)) == 0)
            {
                local = local.AddMinutes(1);
                continue;
            }
            foreach (var instant in Instants(local))
            {
                if (instant > afterUtc && (best is null || instant < best))
                {
                    best = instant;
                    firstHitLocal ??= local;
                }
            }
            // Once a firing is found, look a little further: a repeated hour can hold an earlier instant.
            if (firstHitLocal is not null && local >= firstHitLocal.Value.AddHours(3))
            {
                break;
            }
            local = local.AddMinutes(1);
        }
        if (best is null)
        {
            throw new InvalidOperationException($"cron expression '{Expression}' never fires");
        }
        return new DateTimeOffset(best.Value, TimeSpan.Zero);
    }

    private bool EveryHour => _hours == 0xFFFFFFu;

    private bool DayMatches(DateTime local)
    {
        var dom = (_days & (1u << local.Day)) != 0;
        var dow = (_weekdays & (1 << (int)local.DayOfWeek)) != 0;
        if (_dayOfMonthStar || _dayOfWeekStar)
        {
            return dom && dow;
        }
        return dom || dow;
    }

    private IEnumerable<DateTime> Instants(DateTime local)
    {
        if (Zone.IsInvalidTime(local))
        {
            // Skipped by a forward jump: fire at the first valid minute after the gap.
            var probe = local;
            while (Zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }
            yield return TimeZoneInfo.ConvertTimeToUtc(probe, Zone);
            yield break;
        }
        if (Zone.IsAmbiguousTime(local))
        {
            var passes = Zone.GetAmbiguousTimeOffsets(local).Select(offset => DateTime.SpecifyKind(local - offset, DateTimeKind.Utc)).Order().ToList();
            foreach (var instant in EveryHour ? passes : passes.Take(1))
            {
                yield return instant;
            }
            yield break;
        }
        yield return TimeZoneInfo.ConvertTimeToUtc(local, Zone);
    }
}
