namespace Lifeline.Core;

/// <summary>
/// How a push monitor would sort its Healthchecks-style pings: the HTTP methods it takes and the
/// keywords that make a ping a start, a success or a failure. Kept so that checks managed through
/// Healthchecks' Management API read back as they were written; the ping endpoints do not apply
/// them yet.
/// </summary>
public sealed record PingRules
{
    /// <summary>"" (any method counts) or "POST" (only POSTs would count).</summary>
    public string Methods { get; init; } = "";
    public string StartKeywords { get; init; } = "";
    public string SuccessKeywords { get; init; } = "";
    public string FailureKeywords { get; init; } = "";
    public bool FilterSubject { get; init; }
    public bool FilterBody { get; init; }
    public bool FilterHttpBody { get; init; }
    public bool FilterDefaultFail { get; init; }

    /// <summary>The rules of a monitor that never set any.</summary>
    public static PingRules None { get; } = new();
}
