using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// What the writer last learned about the storage: a write that failed for a storage reason (a
/// full disk, an I/O error) sets a problem; only a probe write that succeeds clears it (ordinary
/// writes that happen to fit, such as an update in a reused log page, could clear it while others
/// still fail). Thread-safe.
/// </summary>
internal sealed class WriteHealth(TimeProvider clock, ILogger logger)
{
    private sealed record State(string Problem, DateTimeOffset Since);

    private State? _state;

    public string? Problem => Volatile.Read(ref _state)?.Problem;
    public DateTimeOffset? ProblemSince => Volatile.Read(ref _state)?.Since;

    /// <summary>
    /// When <paramref name="ex"/> is a storage failure, records it and returns the exception callers
    /// get (a <see cref="StoreUnavailableException"/>); otherwise returns <paramref name="ex"/> as it is.
    /// </summary>
    public Exception Classify(Exception ex)
    {
        if (ex is StoreUnavailableException)
        {
            return ex;
        }
        var problem = Describe(ex);
        if (problem is null)
        {
            return ex;
        }
        var current = Volatile.Read(ref _state);
        if (current is null)
        {
            logger.LogError(ex, "Writes fail, so /healthz fails until a probe write succeeds: {Problem}", problem);
        }
        Volatile.Write(ref _state, new State(problem, current?.Since ?? clock.GetUtcNow()));
        return new StoreUnavailableException($"storage unavailable: {problem}; try again later", ex);
    }

    public void Recovered() => Volatile.Write(ref _state, null);

    /// <summary>Why writes fail, when <paramref name="ex"/> is the storage's fault; null for other failures (a unique key, a bug).</summary>
    private static string? Describe(Exception ex) => ex switch
    {
        SqliteException { SqliteErrorCode: 13 } => $"no space left on the disk ({ex.Message})",
        SqliteException { SqliteErrorCode: 8 or 10 or 11 or 14 or 26 } s => $"the database cannot be written ({s.Message})",
        IOException io when io.HResult == 28 || io.Message.Contains("No space", StringComparison.OrdinalIgnoreCase) => $"no space left on the disk ({io.Message})",
        IOException io => $"a file of the store cannot be written ({io.Message})",
        UnauthorizedAccessException denied => $"a file of the store cannot be written ({denied.Message})",
        _ => null,
    };
}
