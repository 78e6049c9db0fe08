namespace Lifeline.Core;

/// <summary>
/// One monitor: its definition and its current state. Immutable; transitions return a copy.
/// Durations are <see cref="TimeSpan"/>s here and seconds on the wire.
/// </summary>
public sealed record Monitor
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Slug { get; init; }
    public MonitorKind Kind { get; init; } = MonitorKind.Push;
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Channels { get; init; } = [];
    public MonitorStatus Status { get; init; } = MonitorStatus.New;
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastSignalAt { get; init; }
    public string? LastMessage { get; init; }
    public double? LastValue { get; init; }

    /// <summary>When the next good signal is expected (push) or the next check is due (active).</summary>
    public DateTimeOffset? NextDeadlineAt { get; init; }

    /// <summary>When the sweep must next look at this monitor; null when nothing can happen by itself (new, down, paused).</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The incident open while the monitor is down.</summary>
    public long? OpenIncidentId { get; init; }

    // Push monitors.
    public string? PushToken { get; init; }
    /// <summary>Expected time between signals; default 60 s. Ignored when <see cref="Schedule"/> is set.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Extra time after the deadline before down; default 0.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.Zero;
    /// <summary>Five-field cron expression; when set, deadlines follow it in <see cref="Tz"/>.</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA time zone of <see cref="Schedule"/>; default UTC.</summary>
    public string Tz { get; init; } = "UTC";
    /// <summary>When true, signals do not un-pause the monitor.</summary>
    public bool ManualResume { get; init; }
    public DateTimeOffset? RunStartedAt { get; init; }
    public Guid? RunRid { get; init; }
    public long? LastDurationMs { get; init; }

    // Active monitors (http, tcp, dns, tls).
    public string? Target { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public int Retries { get; init; }
    public IReadOnlyList<string> Conditions { get; init; } = [];
    public string? Method { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Body { get; init; }
    /// <summary>Consecutive failed checks so far (active monitors).</summary>
    public int FailureStreak { get; init; }
    /// <summary>Time from a failed check to the next one; null means <see cref="Interval"/>.</summary>
    public TimeSpan? RetryInterval { get; init; }
    /// <summary>Consecutive passed checks a down monitor needs before it is up again; default 1.</summary>
    public int SuccessThreshold { get; init; } = 1;
    /// <summary>Consecutive passed checks while still down (active monitors).</summary>
    public int SuccessStreak { get; init; }

    /// <summary>While down, repeat the down notice this often; null (the default) sends it once.</summary>
    public TimeSpan? RemindEvery { get; init; }

    /// <summary>Whether recovery sends a notice [true].</summary>
    public bool NotifyRecovery { get; init; } = true;

    /// <summary>When the last down notice or reminder was planned.</summary>
    public DateTimeOffset? LastAlertAt { get; init; }

    /// <summary>Events stored for this monitor since the last prune.</summary>
    public int EventCount { get; init; }

    public bool IsStarted => RunStartedAt is not null;

    /// <summary>Ids of the monitors this one depends on: while one of them is down, this one's down notice is held.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>The name of the parent whose outage holds this monitor's down notice; null when none is held.</summary>
    public string? SuppressedBy { get; init; }

    /// <summary>Who acknowledged the open incident; null while nobody has (cleared when the incident ends).</summary>
    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>The unguessable key of the monitor's public badges (<c>/badge/{key}.svg</c>); given when the monitor is stored, never changed.</summary>
    public string? BadgeKey { get; init; }

    /// <summary>Free text about the monitor (Healthchecks' <c>desc</c>); null when none.</summary>
    public string? Description { get; init; }

    /// <summary>Push monitors: methods and keywords kept for Healthchecks' Management API.</summary>
    public PingRules PingRules { get; init; } = PingRules.None;

    /// <summary>Active monitors: where the check runs; location ids, <see cref="LocalLocation"/> being the server itself [local].</summary>
    public IReadOnlyList<string> Locations { get; init; } = [LocalLocation];

    /// <summary>Active monitors: how many locations must see the check fail before the monitor is down; null is a majority (at least 2 when there are 2 or more).</summary>
    public int? Quorum { get; init; }

    /// <summary>Http, tcp and tls monitors: check every address the host name resolves to, each judged on its own.</summary>
    public bool AllAddresses { get; init; }

    /// <summary>The location that is the server itself.</summary>
    public const string LocalLocation = "local";

    /// <summary>True when the check runs somewhere other than on the server alone.</summary>
    public bool IsMultiLocation => Locations.Count != 1 || Locations[0] != LocalLocation;

    /// <summary>Down votes needed for down: <see cref="Quorum"/>, or a majority of the locations (at least 2 when there are 2 or more).</summary>
    public int EffectiveQuorum => Quorum ?? (Locations.Count >= 2 ? Math.Max(2, (Locations.Count / 2) + 1) : 1);

    /// <summary>
    /// The monitor's key in the configuration file (<c>lifeline serve --config</c>) it comes from; null
    /// for monitors made through the API or the app. A managed monitor is changed only through the file.
    /// </summary>
    public string? ManagedKey { get; init; }

    /// <summary>True when the monitor comes from the configuration file and is read-only elsewhere.</summary>
    public bool IsManaged => ManagedKey is not null;
}
