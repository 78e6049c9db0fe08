namespace Lifeline.Client.Push;

/// <summary>
/// One signal for a push monitor: up or down, with an optional message and numbers.
/// </summary>
/// <param name="Up">True for up (the default), false for down.</param>
/// <param name="Message">Text stored with the signal (the server keeps up to 1,000 characters); null sends none.</param>
/// <param name="Value">A number to chart (for example a queue length); only <c>/api/push</c> URLs carry it.</param>
/// <param name="PingMs">A duration in milliseconds; only <c>/api/push</c> URLs carry it.</param>
public sealed record PushSignal(bool Up = true, string? Message = null, double? Value = null, double? PingMs = null)
{
    /// <summary>A plain "up" signal with no message.</summary>
    public static PushSignal Ok { get; } = new();

    /// <summary>A "down" signal with a message saying why.</summary>
    public static PushSignal Down(string message) => new(false, message);
}
