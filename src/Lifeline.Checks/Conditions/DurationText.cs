using System.Globalization;
using System.Text;

namespace Lifeline.Checks.Conditions;

/// <summary>Durations as written in conditions: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>48h</c>, <c>14d</c>, <c>1h30m</c>.</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        var negative = text.StartsWith('-');
        var i = negative ? 1 : 0;
        if (i >= text.Length)
        {
            return false;
        }
        double totalMs = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }
            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
            {
                i++;
            }
            double? unitMs = text[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
            {
                return false;
            }
            totalMs += amount * unitMs.Value;
        }
        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }
        span = TimeSpan.FromMilliseconds(negative ? -totalMs : totalMs);
        return true;
    }

    /// <summary>Compact form: <c>13d4h5m</c>, <c>2m30s</c>, <c>250ms</c>; seconds are dropped past a day.</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Format(span.Negate());
        }
        if (span < TimeSpan.FromSeconds(1))
        {
            return $"{(int)span.TotalMilliseconds}ms";
        }
        var text = new StringBuilder();
        Append(text, span.Days, 'd');
        Append(text, span.Hours, 'h');
        Append(text, span.Minutes, 'm');
        if (span.Days == 0)
        {
            Append(text, span.Seconds, 's');
        }
        return text.Length == 0 ? "0s" : text.ToString();
    }

    private static void Append(StringBuilder text, int amount, char unit)
    {
        if (amount != 0)
        {
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
