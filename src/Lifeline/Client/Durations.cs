using System.Globalization;

namespace Lifeline.Cli.Client;

/// <summary>Reads durations the way people write them in options and config files.</summary>
internal static class Durations
{
    /// <summary>
    /// Parses seconds as a plain number ("90", "0.5") or a number with a unit: "500ms", "30s",
    /// "5m", "1h". Returns false for anything else, zero or negative values included.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var value = text.Trim().ToLowerInvariant();
        var (number, scale) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1.0),
            _ when value.EndsWith('m') => (value[..^1], 60.0),
            _ when value.EndsWith('h') => (value[..^1], 3600.0),
            _ => (value, 1.0),
        };
        if (!double.TryParse(number.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount) || amount <= 0)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(amount * scale);
        return true;
    }

    /// <summary>"90 s", "1.5 s": how messages show a duration.</summary>
    public static string Show(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
