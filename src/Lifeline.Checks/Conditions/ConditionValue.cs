using System.Globalization;

namespace Lifeline.Checks.Conditions;

internal enum ValueKind
{
    Number,
    /// <summary>A time span held in <see cref="ConditionValue.Number"/> as milliseconds.</summary>
    Duration,
    Bool,
    Text,
}

/// <summary>
/// One value seen or written in a condition. Numbers and durations keep their magnitude in
/// <see cref="Number"/> (durations in milliseconds); <see cref="Text"/> is what is shown.
/// </summary>
internal readonly record struct ConditionValue(ValueKind Kind, double Number, string Text)
{
    /// <summary>Written in quotes: always compared as text.</summary>
    public bool Quoted { get; init; }

    /// <summary>Compared ignoring case (response codes, health words).</summary>
    public bool IgnoreCase { get; init; }

    public static ConditionValue Of(double number) => new(ValueKind.Number, number, FormatNumber(number));

    public static ConditionValue Of(bool value) => new(ValueKind.Bool, value ? 1 : 0, value ? "true" : "false");

    public static ConditionValue Of(string text) => new(ValueKind.Text, double.NaN, text);

    public static ConditionValue OfMillis(TimeSpan span) => Of(Math.Round(span.TotalMilliseconds));

    public static ConditionValue OfDuration(TimeSpan span) =>
        new(ValueKind.Duration, span.TotalMilliseconds, DurationText.Format(span));

    /// <summary>The value as a number (durations in milliseconds), when it is one or is text holding one.</summary>
    public bool TryNumber(out double number)
    {
        switch (Kind)
        {
            case ValueKind.Number or ValueKind.Duration:
                number = Number;
                return true;
            case ValueKind.Text when !Quoted:
                return TryParseNumber(Text, out number);
            default:
                number = 0;
                return false;
        }
    }

    public bool TryBool(out bool value)
    {
        if (Kind == ValueKind.Bool)
        {
            value = Number != 0;
            return true;
        }
        value = false;
        return Kind == ValueKind.Text && !Quoted && bool.TryParse(Text, out value);
    }

    /// <summary>Classifies a bare word: boolean, number, duration, or else text.</summary>
    public static ConditionValue FromWord(string word)
    {
        if (string.Equals(word, "true", StringComparison.OrdinalIgnoreCase))
        {
            return Of(true);
        }
        if (string.Equals(word, "false", StringComparison.OrdinalIgnoreCase))
        {
            return Of(false);
        }
        if (TryParseNumber(word, out var number))
        {
            return new ConditionValue(ValueKind.Number, number, word);
        }
        if (DurationText.TryParse(word, out var span))
        {
            return new ConditionValue(ValueKind.Duration, span.TotalMilliseconds, word);
        }
        return Of(word);
    }

    /// <summary>
    /// A decimal number, or (as Gatus reads numbers) a whole number written <c>0x1F</c>, <c>0o17</c>
    /// or <c>0b101</c>, optionally signed. Only finite values count.
    /// </summary>
    public static bool TryParseNumber(string text, out double number)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return double.IsFinite(number);
        }
        var span = text.AsSpan().Trim();
        var negative = span.StartsWith("-");
        if (negative || span.StartsWith("+"))
        {
            span = span[1..];
        }
        if (span.Length < 3 || span[0] != '0')
        {
            return false;
        }
        var radix = char.ToLowerInvariant(span[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 };
        if (radix == 0)
        {
            return false;
        }
        ulong value = 0;
        foreach (var c in span[2..])
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : int.MaxValue;
            if (digit >= radix || value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                return false;
            }
            value = value * (ulong)radix + (ulong)digit;
        }
        number = negative ? -(double)value : value;
        return true;
    }

    public static string FormatNumber(double number) => number.ToString("0.###", CultureInfo.InvariantCulture);
}
