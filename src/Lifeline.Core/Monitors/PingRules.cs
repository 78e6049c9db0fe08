namespace Lifeline.Core;

/// <summary>
/// How a push monitor sorts its Healthchecks-style pings, as Healthchecks does: the HTTP methods it
/// takes, and the keywords in a ping's body that make it a start, a success or a failure.
/// </summary>
public sealed record PingRules
{
    /// <summary>"" (any method counts) or "POST" (only POSTs count; others are recorded and ignored).</summary>
    public string Methods { get; init; } = "";
    public string StartKeywords { get; init; } = "";
    public string SuccessKeywords { get; init; } = "";
    public string FailureKeywords { get; init; } = "";
    /// <summary>Email subjects: kept for Healthchecks' Management API; Lifeline takes no email pings.</summary>
    public bool FilterSubject { get; init; }
    /// <summary>Email bodies: kept for Healthchecks' Management API; Lifeline takes no email pings.</summary>
    public bool FilterBody { get; init; }
    /// <summary>Sort plain success pings by the keywords found in their body.</summary>
    public bool FilterHttpBody { get; init; }
    /// <summary>With <see cref="FilterHttpBody"/>: a body with no keyword is a failure rather than ignored.</summary>
    public bool FilterDefaultFail { get; init; }

    /// <summary>The rules of a monitor that never set any.</summary>
    public static PingRules None { get; } = new();

    /// <summary>
    /// What a Healthchecks ping (one with its <see cref="Signal.Method"/>) counts as under these rules.
    /// The method rule comes first; then, for a plain success ping with body filtering on, a failure
    /// keyword wins over a success keyword, which wins over a start keyword. Other signals pass unchanged.
    /// </summary>
    public Signal Sort(Signal signal)
    {
        if (signal.Method is not { } method || ReferenceEquals(this, None))
        {
            return signal;
        }
        if (Methods == "POST" && !string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return Ignore(signal, $"ignored: a {method.ToUpperInvariant()} ping, and this monitor counts only POST");
        }
        if (!FilterHttpBody || signal.Kind != SignalKind.Success || signal.ExitStatus is not null)
        {
            return signal;
        }
        var body = signal.Body ?? "";
        if (Contains(body, FailureKeywords))
        {
            return signal with { Kind = SignalKind.Fail, Ok = false };
        }
        if (Contains(body, SuccessKeywords))
        {
            return signal;
        }
        if (Contains(body, StartKeywords))
        {
            return signal with { Kind = SignalKind.Start };
        }
        return FilterDefaultFail
            ? signal with { Kind = SignalKind.Fail, Ok = false, Message = "no success keyword in the ping's body" }
            : Ignore(signal, "ignored: no keyword in the ping's body");
    }

    private static Signal Ignore(Signal signal, string why) => signal with { Kind = SignalKind.Ignored, Ok = true, Message = why };

    /// <summary>Whether any of the comma-separated keywords occurs in the text (case-sensitive, as Healthchecks matches).</summary>
    private static bool Contains(string text, string keywords)
    {
        foreach (var keyword in keywords.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (text.Contains(keyword, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
