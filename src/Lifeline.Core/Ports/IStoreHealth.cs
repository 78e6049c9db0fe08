namespace Lifeline.Core;

/// <summary>
/// Whether the store can write now, for /healthz. A store records a failure when a write fails for
/// a storage reason (a full disk, an I/O error) and clears it once a write succeeds again.
/// </summary>
public interface IStoreHealth
{
    /// <summary>Why writes fail now (e.g. "no space left on device"), or null while they work.</summary>
    string? Problem { get; }

    /// <summary>When the current problem was first seen; null while writes work.</summary>
    DateTimeOffset? ProblemSince { get; }
}
