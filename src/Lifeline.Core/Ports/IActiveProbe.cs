namespace Lifeline.Core;

/// <summary>What one active check found.</summary>
public sealed record CheckReport
{
    public required bool Ok { get; init; }
    /// <summary>A short summary when it passed; otherwise every failed condition with the value seen, as in <c>[STATUS] (500) == 200</c>.</summary>
    public required string Message { get; init; }
    /// <summary>How long the check took, in milliseconds.</summary>
    public long DurationMs { get; init; }
    public IReadOnlyList<ConditionCheck> Conditions { get; init; } = [];
    /// <summary>When the earliest certificate of the chain seen expires (http over TLS, tls); null when none was seen.</summary>
    public DateTimeOffset? CertificateExpiresAt { get; init; }
    /// <summary>Checks from several locations: passed the quorum, but some locations saw the check fail.</summary>
    public bool Degraded { get; init; }
    /// <summary>Checks from several locations: no location has a recent result, so nothing is learned.</summary>
    public bool Unknown { get; init; }
}

/// <summary>Checks an active monitor (http, tcp, dns, tls) once. Implemented by Lifeline.Checks.</summary>
public interface IActiveProbe
{
    /// <summary>
    /// Runs one check within the monitor's timeout. A failing target is a report, not an exception;
    /// cancelling <paramref name="ct"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<CheckReport> CheckAsync(Monitor monitor, CancellationToken ct);
}
