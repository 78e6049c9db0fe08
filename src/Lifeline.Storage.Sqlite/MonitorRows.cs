namespace Lifeline.Storage.Sqlite;

/// <summary>What SQLite's monitor rows need beyond <see cref="MonitorColumns"/>: the hot path's transition write, bound by position.</summary>
internal static class MonitorRows
{
    /// <summary>
    /// <see cref="MonitorColumns.UpdateState"/> without the due time, for transitions that keep it: SQLite then
    /// leaves the due index alone, which saves a page write on most pings.
    /// </summary>
    public static readonly string UpdateStateKeepDue =
        "UPDATE monitors SET " + string.Join(", ", MonitorColumns.StateColumns.Where(c => c != "due_at").Select(c => $"{c} = @{c}")) + " WHERE id = @id";

    /// <summary>
    /// Values for <see cref="MonitorColumns.UpdateState"/> (or, without the due time, <see cref="UpdateStateKeepDue"/>),
    /// in the order their parameters appear, the id last: both run through <see cref="RawStatement"/>,
    /// which binds by position.
    /// </summary>
    public static object?[] StateValues(Monitor m, bool withDueAt)
    {
        var values = new object?[withDueAt ? MonitorColumns.StateColumns.Count + 1 : MonitorColumns.StateColumns.Count];
        var i = 0;
        values[i++] = WireNames.Of(m.Status);
        values[i++] = Time.Ms(m.LastSignalAt);
        values[i++] = m.LastMessage;
        values[i++] = m.LastValue;
        values[i++] = Time.Ms(m.NextDeadlineAt);
        if (withDueAt)
        {
            values[i++] = Time.Ms(m.DueAt);
        }
        values[i++] = m.OpenIncidentId;
        values[i++] = Time.Ms(m.RunStartedAt);
        values[i++] = m.RunRid?.ToString();
        values[i++] = m.LastDurationMs;
        values[i++] = m.FailureStreak;
        values[i++] = m.EventCount;
        values[i++] = m.SuccessStreak;
        values[i++] = Time.Ms(m.LastAlertAt);
        values[i] = m.Id;
        return values;
    }
}

/// <summary>Times are stored as Unix milliseconds.</summary>
internal static class Time
{
    public static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    public static DateTimeOffset From(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? From(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
