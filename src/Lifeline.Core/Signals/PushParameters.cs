using System.Globalization;

namespace Lifeline.Core;

/// <summary>
/// Turns the loosely typed parameters of the push URL families into a <see cref="Signal"/>,
/// or names the parameter that is wrong. Shared by every HTTP entry point.
/// </summary>
public static class PushParameters
{
    /// <summary>Stored length of a pushed message; longer ones are cut, not refused.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>Parses the Tianji / Uptime Kuma <c>status</c> word; absent or empty means up.</summary>
    public static bool TryParseStatus(string? status, out bool up)
    {
        up = true;
        if (string.IsNullOrWhiteSpace(status))
        {
            return true;
        }
        switch (status.Trim().ToUpperInvariant())
        {
            case "UP" or "OK" or "TRUE" or "1":
                return true;
            case "DOWN" or "FAIL" or "ERROR" or "FALSE" or "0":
                up = false;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Parses an optional finite number; empty means absent.</summary>
    public static bool TryParseNumber(string? text, out double? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            value = v;
            return true;
        }
        return false;
    }

    /// <summary>Cuts a message to <see cref="MaxMessageLength"/> characters without splitting a surrogate pair.</summary>
    public static string? Truncate(string? message, int max = MaxMessageLength)
    {
        if (message is null || message.Length <= max)
        {
            return message;
        }
        var cut = char.IsHighSurrogate(message[max - 1]) ? max - 1 : max;
        return message[..cut];
    }

    /// <summary>
    /// The text with every unpaired UTF-16 surrogate (as a JSON <c>"\ud800"</c> escape can carry) replaced
    /// by U+FFFD, so it can be stored and written out as UTF-8. Returns the same instance when it is already well formed.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? WellFormed(string? text)
    {
        if (text is null || !text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return text;
        }
        var bad = IndexOfLoneSurrogate(text, 0);
        if (bad < 0)
        {
            return text;
        }
        var chars = text.ToCharArray();
        while (bad >= 0)
        {
            chars[bad] = '\uFFFD';
            bad = IndexOfLoneSurrogate(text, bad + 1);
        }
        return new string(chars);
    }

    private static int IndexOfLoneSurrogate(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Builds a Tianji / Uptime Kuma push signal, or returns the name of the bad parameter.</summary>
    public static Signal? TryBuildPush(string? status, string? msg, string? value, string? ping, DateTimeOffset at, string? source, out string? badParameter)
    {
        badParameter = null;
        if (!TryParseStatus(status, out var up))
        {
            badParameter = "status";
            return null;
        }
        if (!TryParseNumber(value, out var v))
        {
            badParameter = "value";
            return null;
        }
        if (!TryParseNumber(ping, out var p))
        {
            badParameter = "ping";
            return null;
        }
        return new Signal
        {
            Kind = SignalKind.Push,
            Ok = up,
            At = at,
            Message = Truncate(string.IsNullOrEmpty(msg) ? "OK" : WellFormed(msg)),
            Value = v,
            PingMs = p,
            Source = source,
        };
    }
}
