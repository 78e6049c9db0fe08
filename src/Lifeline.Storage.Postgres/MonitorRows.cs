namespace Lifeline.Storage.Postgres;

/// <summary>What PostgreSQL's monitor rows need beyond <see cref="MonitorColumns"/>: the parameters of a transition's write.</summary>
internal static class MonitorRows
{
    public static (string, object?)[] StateParameters(Monitor m) =>
    [
        ("@status", WireNames.Of(m.Status)),
        ("@last_signal_at", Time.Ms(m.LastSignalAt)),
        ("@last_message", m.LastMessage),
        ("@last_value", m.LastValue),
        ("@next_deadline_at", Time.Ms(m.NextDeadlineAt)),
        ("@due_at", Time.Ms(m.DueAt)),
        ("@open_incident_id", m.OpenIncidentId),
        ("@run_started_at", Time.Ms(m.RunStartedAt)),
        ("@run_rid", m.RunRid?.ToString()),
        ("@last_duration_ms", m.LastDurationMs),
        ("@failure_streak", m.FailureStreak),
        ("@event_count", m.EventCount),
        ("@success_streak", m.SuccessStreak),
        ("@last_alert_at", Time.Ms(m.LastAlertAt)),
        ("@id", m.Id),
    ];
}

/// <summary>Times are stored as Unix milliseconds.</summary>
internal static class Time
{
    public static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    public static DateTimeOffset From(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? From(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
