using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeline.Core.Probes;

// The probe protocol (CONTRACT §10). A probe calls the server; the server never calls a probe.
//
//   POST /api/v1/probe/enroll       {"token","name"}                 -> 201 EnrollAnswer (401 for a used or unknown token)
//   GET  /api/v1/probe/assignments?version=V&wait=S                  -> 200 Assignments, or 304 when V is still current after S seconds
//   POST /api/v1/probe/results      ResultBatch                      -> 200 BatchAnswer (a batch id seen before is not stored again)
//   POST /api/v1/probe/rotate                                         -> 200 {"credential"} (the old credential stops working)
//
// After enrolment every call carries "Authorization: Probe <credential>"; the credential is
// "<probe id>.<secret>" and the server keeps only a hash of the secret. Times are ISO 8601 UTC,
// durations whole seconds, names camelCase.

/// <summary>What a probe sends once, with the location's one-time enrol token.</summary>
public sealed record EnrollRequest(string Token, string? Name);

/// <summary>The server's answer to a good enrolment.</summary>
public sealed record EnrollAnswer(string Probe, LocationRef Location, string Credential);

/// <summary>A location's id and name.</summary>
public sealed record LocationRef(string Id, string Name);

/// <summary>
/// The checks assigned to one probe, all of them every time (the version changes whenever the set,
/// a definition or a re-check request changes).
/// </summary>
public sealed record Assignments(string Version, LocationRef Location, IReadOnlyList<ProbeCheck> Checks)
{
    /// <summary>How long the probe should wait before polling again after an error [5].</summary>
    public int RetrySeconds { get; init; } = 5;
}

/// <summary>One active check as a probe runs it: exactly what the server's own probes read of a monitor.</summary>
public sealed record ProbeCheck
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>http, tcp, dns or tls.</summary>
    public required string Kind { get; init; }
    public required string Target { get; init; }
    public int Interval { get; init; } = 60;
    public int Timeout { get; init; } = 10;
    public IReadOnlyList<string> Conditions { get; init; } = [];
    public string? Method { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Body { get; init; }
    /// <summary>Check every address the host name resolves to, each judged on its own.</summary>
    public bool AllAddresses { get; init; }
    /// <summary>When set and later than the probe's last run of this check, run it now (another location saw it fail).</summary>
    public DateTimeOffset? RecheckAt { get; init; }
}

/// <summary>Results sent together; <see cref="Batch"/> is unique per batch so a batch sent twice is stored once.</summary>
public sealed record ResultBatch(string Batch, IReadOnlyList<ProbeResult> Results);

/// <summary>What one run of one check found, at the probe.</summary>
public sealed record ProbeResult
{
    /// <summary>The monitor id (<see cref="ProbeCheck.Id"/>).</summary>
    public required string Monitor { get; init; }
    public required DateTimeOffset At { get; init; }
    public required bool Ok { get; init; }
    public required string Message { get; init; }
    public long DurationMs { get; init; }
    public IReadOnlyList<ConditionCheck> Conditions { get; init; } = [];
    public DateTimeOffset? CertificateExpiresAt { get; init; }
}

/// <summary>The server's answer to a result batch.</summary>
public sealed record BatchAnswer(int Stored, bool Duplicate);

/// <summary>A fresh credential after a rotation.</summary>
public sealed record RotateAnswer(string Credential);

/// <summary>The protocol's JSON settings: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollAnswer))]
[JsonSerializable(typeof(Assignments))]
[JsonSerializable(typeof(ResultBatch))]
[JsonSerializable(typeof(BatchAnswer))]
[JsonSerializable(typeof(RotateAnswer))]
[JsonSerializable(typeof(IReadOnlyList<ProbeCheck>))]
public sealed partial class ProbeJson : JsonSerializerContext;

/// <summary>Turns a monitor into the check a probe runs, and back into a monitor the check runner understands.</summary>
public static class ProbeChecks
{
    public static ProbeCheck From(Monitor monitor, DateTimeOffset? recheckAt = null) => new()
    {
        Id = monitor.Id,
        Name = monitor.Name,
        Kind = WireNames.Of(monitor.Kind),
        Target = monitor.Target ?? "",
        Interval = (int)monitor.Interval.TotalSeconds,
        Timeout = (int)Math.Ceiling(monitor.Timeout.TotalSeconds),
        Conditions = monitor.Conditions,
        Method = monitor.Method,
        Headers = monitor.Headers,
        Body = monitor.Body,
        AllAddresses = monitor.AllAddresses,
        RecheckAt = recheckAt,
    };

    /// <summary>The monitor a probe hands to its check runner; null when the kind is not one this probe knows.</summary>
    public static Monitor? ToMonitor(ProbeCheck check)
    {
        if (!WireNames.TryParseKind(check.Kind, out var kind) || kind == MonitorKind.Push)
        {
            return null;
        }
        return new Monitor
        {
            Id = check.Id,
            Name = check.Name,
            Kind = kind,
            Target = check.Target,
            Interval = TimeSpan.FromSeconds(Math.Max(1, check.Interval)),
            Timeout = TimeSpan.FromSeconds(Math.Max(1, check.Timeout)),
            Conditions = check.Conditions,
            Method = check.Method,
            Headers = check.Headers,
            Body = check.Body,
            AllAddresses = check.AllAddresses,
        };
    }
}
