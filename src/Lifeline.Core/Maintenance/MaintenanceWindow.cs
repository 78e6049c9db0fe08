namespace Lifeline.Core;

/// <summary>How a maintenance window is timed.</summary>
public enum MaintenanceKind
{
    /// <summary>One occurrence, from <see cref="MaintenanceWindow.Start"/> to <see cref="MaintenanceWindow.End"/>.</summary>
    Once,
    /// <summary>An occurrence at every time of a cron schedule, lasting <see cref="MaintenanceWindow.Duration"/>.</summary>
    Recurring,
    /// <summary>Starts when created, ends when ended through the API.</summary>
    Manual,
}

/// <summary>What a window does to the monitors it covers.</summary>
public enum MaintenanceEffect
{
    /// <summary>Checks and pushes go on and are recorded; no down notice goes out (the default).</summary>
    Mute,
    /// <summary>The monitors are paused when an occurrence starts and resumed when it ends (and muted too).</summary>
    Pause,
}

/// <summary>
/// A maintenance window: which monitors (by id or by tag) it covers, and when. Its occurrences are
/// stored (<see cref="MaintenanceOccurrence"/>) so that every node and every restart agree on them.
/// </summary>
public sealed record MaintenanceWindow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public MaintenanceKind Kind { get; init; }
    public IReadOnlyList<string> Monitors { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Once: when it starts. Manual: when it was started.</summary>
    public DateTimeOffset? Start { get; init; }
    /// <summary>Once: when it ends.</summary>
    public DateTimeOffset? End { get; init; }
    /// <summary>Recurring: a five-field cron expression in <see cref="Tz"/>.</summary>
    public string? Schedule { get; init; }
    /// <summary>Recurring: how long each occurrence lasts (real elapsed time, whatever the clock change).</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Recurring: the IANA time zone of <see cref="Schedule"/>; default UTC.</summary>
    public string Tz { get; init; } = "UTC";
    public MaintenanceEffect Effect { get; init; } = MaintenanceEffect.Mute;
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whether the window applies to the monitor: listed by id, or carrying one of its tags.</summary>
    public bool Covers(Monitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return Monitors.Contains(monitor.Id, StringComparer.Ordinal) || monitor.Tags.Any(t => Tags.Contains(t, StringComparer.Ordinal));
    }

    /// <summary>
    /// The occurrences that matter at <paramref name="now"/>: every one in progress and the next one
    /// to start. A manual window has one occurrence with no end.
    /// </summary>
    public IReadOnlyList<MaintenanceOccurrence> OccurrencesAround(DateTimeOffset now)
    {
        switch (Kind)
        {
            case MaintenanceKind.Once:
                return [new MaintenanceOccurrence(Id, Start!.Value, End)];
            case MaintenanceKind.Manual:
                return [new MaintenanceOccurrence(Id, Start ?? CreatedAt, null)];
        }
        var schedule = CronSchedule.TryParse(Schedule, Tz, out var error) ?? throw new InvalidOperationException(error);
        var duration = Duration!.Value;
        var found = new List<MaintenanceOccurrence>();
        // Starts after now - duration are still in progress at now; the loop ends with the first start after now.
        var start = schedule.Next(now - duration);
        while (true)
        {
            found.Add(new MaintenanceOccurrence(Id, start, start + duration));
            if (start > now)
            {
                return found;
            }
            start = schedule.Next(start);
        }
    }
}

/// <summary>
/// One stored stretch of a window: in force from <paramref name="StartsAt"/> until
/// <paramref name="EndsAt"/> (exclusive; null for a manual window not yet ended).
/// </summary>
public sealed record MaintenanceOccurrence(string WindowId, DateTimeOffset StartsAt, DateTimeOffset? EndsAt)
{
    public bool InForceAt(DateTimeOffset at) => StartsAt <= at && (EndsAt is not { } end || at < end);
}

/// <summary>A window with the occurrence of it in force now, if any.</summary>
public sealed record MaintenanceState(MaintenanceWindow Window, MaintenanceOccurrence? Current);
