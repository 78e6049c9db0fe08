namespace Lifeline.Core;

/// <summary>
/// One problem with one input field: <paramref name="Field"/> is the field's wire name (<c>target</c>,
/// <c>dependsOn</c>, <c>url</c>), <paramref name="Message"/> a sentence that names it, as the API
/// answers it. Forms show the message next to the field of that name.
/// </summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => Message;

    /// <summary>
    /// Reads a message that starts with its field, in the forms the probe and channel libraries
    /// write: <c>target: ...</c>, <c>conditions[1]: ...</c> and <c>'url' is required</c>.
    /// Any other message belongs to <paramref name="fallback"/>.
    /// </summary>
    public static FieldError FromPrefixed(string message, string fallback = "")
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith('\'') && message.IndexOf('\'', 1) is > 1 and var close)
        {
            return new FieldError(message[1..close], message);
        }
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        var head = colon > 0 ? message[..colon] : "";
        var bracket = head.IndexOf('[', StringComparison.Ordinal);
        head = bracket > 0 ? head[..bracket] : head;
        return head.Length > 0 && head.All(char.IsAsciiLetterOrDigit) ? new FieldError(head, message) : new FieldError(fallback, message);
    }
}
