namespace Lifeline.Client.Push;

/// <summary>How a send ended.</summary>
public enum PushOutcome
{
    /// <summary>The server answered 2xx.</summary>
    Acknowledged,

    /// <summary>The server answered a 4xx that retrying cannot fix (unknown token, bad parameter).</summary>
    Rejected,

    /// <summary>No acknowledgement within the retry window: network errors, timeouts, 5xx or 429 to the end.</summary>
    Unreachable,
}

/// <summary>The result of <see cref="IPushSender.SendAsync"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="StatusCode">The last HTTP status seen, or null when no answer came.</param>
/// <param name="Message">The server's answer (or the last error) in one line, for people.</param>
/// <param name="Attempts">How many requests were made.</param>
/// <param name="BodyLimit">The server's <c>Ping-Body-Limit</c> header in bytes, when it sent one.</param>
public sealed record PushResult(PushOutcome Outcome, int? StatusCode, string Message, int Attempts, int? BodyLimit)
{
    /// <summary>True when the server acknowledged the signal.</summary>
    public bool Acknowledged => Outcome == PushOutcome.Acknowledged;
}
