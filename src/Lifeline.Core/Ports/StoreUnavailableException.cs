namespace Lifeline.Core;

/// <summary>
/// A write could not be made durable because the storage failed (a full disk, an I/O error, the
/// database lost). Answered as 503: the caller may try again later.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
