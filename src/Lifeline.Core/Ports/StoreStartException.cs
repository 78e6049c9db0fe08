namespace Lifeline.Core;

/// <summary>
/// The store refuses to open: the message says why, for the operator (a data folder in use, an
/// empty or damaged database). <c>lifeline serve</c> prints it and exits with 2.
/// </summary>
public sealed class StoreStartException(string message, Exception? inner = null) : Exception(message, inner);
