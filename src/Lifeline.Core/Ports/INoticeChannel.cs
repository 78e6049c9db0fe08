using System.Text.Json.Nodes;

namespace Lifeline.Core;

/// <summary>Which attempt of which notice is being delivered.</summary>
/// <param name="Id">Stable across retries of one notice (the webhook-id).</param>
/// <param name="Attempt">1 for the first attempt.</param>
public sealed record NoticeDelivery(string Id, int Attempt, DateTimeOffset At);

/// <summary>
/// Sends notices of one channel kind. Implementations only format and send: they throw
/// <see cref="DeliveryException"/> (or any exception) on failure; the dispatcher owns retries.
/// </summary>
public interface INoticeChannel
{
    /// <summary>The channel kind this sender serves, e.g. <c>webhook</c>.</summary>
    string Kind { get; }

    /// <summary>Checks the kind's settings; each problem names its field. Empty when valid.</summary>
    IReadOnlyList<string> Validate(JsonObject settings);

    /// <summary>
    /// Sends one notice; a grouped notice (<see cref="Notice.Group"/> set) carries every notice of a
    /// storm and is sent as one message, or (for kinds with one event per monitor) as one event each.
    /// </summary>
    Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct);

    /// <summary>
    /// Whether channels of this kind group storms of notices with the server's window unless they set
    /// <c>groupSeconds</c> [true]. Kinds read by machines (one event per monitor) say false.
    /// </summary>
    bool GroupsByDefault => true;
}

/// <summary>A failed delivery, with what the dispatcher needs to decide about retrying.</summary>
public sealed class DeliveryException : Exception
{
    public DeliveryException(string message, bool permanent = false, TimeSpan? retryAfter = null, int? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Permanent = permanent;
        RetryAfter = retryAfter;
        StatusCode = statusCode;
    }

    public DeliveryException()
    {
    }

    public DeliveryException(string message) : base(message)
    {
    }

    public DeliveryException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Retrying cannot help (for example a 4xx other than 408 and 429).</summary>
    public bool Permanent { get; }

    /// <summary>The receiver asked to wait this long (Retry-After, Telegram's retry_after).</summary>
    public TimeSpan? RetryAfter { get; }

    public int? StatusCode { get; }

    /// <summary>Classifies an HTTP status: 2xx is success, 408/429/5xx transient, other 4xx permanent.</summary>
    public static bool IsPermanentStatus(int status) => status is >= 400 and < 500 and not 408 and not 429;
}
