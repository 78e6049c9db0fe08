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
                return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
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
        if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return new ConditionValue(ValueKind.Number, number, word);
        }
        if (DurationText.TryParse(word, out var span))
        {
            return new ConditionValue(ValueKind.Duration, span.TotalMilliseconds, word);
        }
        return Of(word);
    }

    public static string FormatNumber(double number) => number.ToString("0.###", CultureInfo.InvariantCulture);
}
