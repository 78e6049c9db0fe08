namespace Lifeline.Server.Edits;

/// <summary>How a write ended: the API answers 2xx, 400, 404 or 409 for these; the app shows them on the form.</summary>
public enum WriteOutcome
{
    Done,
    /// <summary>The input was refused; <see cref="WriteResult{T}.Errors"/> names each field.</summary>
    Invalid,
    NotFound,
    /// <summary>The input was fine but the state of things refuses it (a slug taken, no incident to acknowledge).</summary>
    Conflict,
}

/// <summary>The result of a write shared by the admin API and the app: the saved value, or why not.</summary>
public sealed record WriteResult<T>(WriteOutcome Outcome, T? Value, IReadOnlyList<FieldError> Errors)
    where T : class
{
    /// <summary>Every message, one line each, for a place that cannot show them by field.</summary>
    public string Summary => string.Join("; ", Errors.Select(e => e.Message));
}

/// <summary>Builds <see cref="WriteResult{T}"/>s.</summary>
public static class WriteResult
{
    public static WriteResult<T> Done<T>(T value) where T : class => new(WriteOutcome.Done, value, []);

    public static WriteResult<T> Invalid<T>(IReadOnlyList<FieldError> errors) where T : class => new(WriteOutcome.Invalid, null, errors);

    public static WriteResult<T> NotFound<T>() where T : class => new(WriteOutcome.NotFound, null, []);

    public static WriteResult<T> Conflict<T>(FieldError error) where T : class => new(WriteOutcome.Conflict, null, [error]);
}
