namespace Lifeline.Core;

/// <summary>The kinds of event a monitor records; their wire names are the contract's event types.</summary>
public enum SignalKind
{
    /// <summary>A Tianji / Uptime Kuma push (up or down).</summary>
    Push,
    /// <summary>A Healthchecks run start.</summary>
    Start,
    /// <summary>A Healthchecks success (plain ping or exit status 0).</summary>
    Success,
    /// <summary>A Healthchecks failure (/fail or a non-zero exit status).</summary>
    Fail,
    /// <summary>A log line: recorded, changes nothing.</summary>
    Log,
    /// <summary>The result of an active check.</summary>
    Check,
    /// <summary>A Healthchecks ping its monitor's rules set aside (a method it does not take, no keyword matched): recorded, changes nothing.</summary>
    Ignored,
}

/// <summary>One incoming signal, already validated.</summary>
public sealed record Signal
{
    public required SignalKind Kind { get; init; }
    /// <summary>True for a good signal; false for down, fail and failed checks.</summary>
    public bool Ok { get; init; } = true;
    public required DateTimeOffset At { get; init; }
    public string? Message { get; init; }
    public double? Value { get; init; }
    public double? PingMs { get; init; }
    public int? ExitStatus { get; init; }
    public string? Body { get; init; }
    public Guid? Rid { get; init; }
    public string? Source { get; init; }
    public long? DurationMs { get; init; }

    /// <summary>Healthchecks pings: the HTTP method it came with, which the monitor's <see cref="PingRules"/> may sort on.</summary>
    public string? Method { get; init; }

    /// <summary>Active checks: every condition with the values seen.</summary>
    public IReadOnlyList<ConditionCheck>? Conditions { get; init; }

    /// <summary>
    /// Active checks: the check failed while the server's own canary failed too, so the result says
    /// nothing about the target. Recorded, but changes no state and pages nobody.
    /// </summary>
    public bool Unknown { get; init; }

    /// <summary>Active checks over TLS (http, tls): when the earliest certificate of the chain seen expires.</summary>
    public DateTimeOffset? CertificateExpiresAt { get; init; }

    /// <summary>
    /// Active checks from several locations: the check passed the quorum, but some locations saw it
    /// fail. The monitor is degraded, not down.
    /// </summary>
    public bool Degraded { get; init; }

    /// <summary>
    /// Active checks: the location whose result this is (a vote, which changes no state by itself);
    /// null for the monitor's own verdict.
    /// </summary>
    public string? Location { get; init; }

    /// <summary>Whether this signal speaks about up or down at all (start and log do not).</summary>
    public bool ChangesState => Kind is not (SignalKind.Start or SignalKind.Log or SignalKind.Ignored);

    public static string WireName(SignalKind kind) => kind switch
    {
        SignalKind.Push => "push",
        SignalKind.Start => "start",
        SignalKind.Success => "success",
        SignalKind.Fail => "fail",
        SignalKind.Log => "log",
        SignalKind.Check => "check",
        SignalKind.Ignored => "ign",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>A stored event: a signal as it was recorded against a monitor.</summary>
public sealed record MonitorEvent(
    long Id,
    string MonitorId,
    DateTimeOffset At,
    SignalKind Type,
    bool Ok,
    string? Msg,
    double? Value,
    double? Ping,
    int? ExitStatus,
    long? DurationMs,
    string? Body,
    Guid? Rid,
    string? Source)
{
    /// <summary>Active checks: every condition with the values seen; null for other events.</summary>
    public IReadOnlyList<ConditionCheck>? Conditions { get; init; }

    /// <summary>Active checks: true when the result was inconclusive (the canary failed too).</summary>
    public bool Unknown { get; init; }

    /// <summary>Active checks over TLS: when the earliest certificate of the chain seen expires; null when none was seen.</summary>
    public DateTimeOffset? CertificateExpiresAt { get; init; }

    /// <summary>Active checks from several locations: the location that ran this check; null for the monitor's verdict.</summary>
    public string? Location { get; init; }
}

/// <summary>One condition of an active check: its text, whether it held, and the values seen, as in <c>[STATUS] (500) == 200</c>.</summary>
public sealed record ConditionCheck(string Condition, bool Ok, string Text);

/// <summary>A period during which a monitor was down.</summary>
public sealed record Incident(long Id, string MonitorId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Reason)
{
    /// <summary>The parent whose outage held this incident's down notice; null when it was not held.</summary>
    public string? SuppressedBy { get; init; }

    /// <summary>Who acknowledged the incident; null while nobody has.</summary>
    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }
}
