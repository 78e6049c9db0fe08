using System.Net;
using System.Net.Security;
using Lifeline.Checks.Tls;

namespace Lifeline.Checks;

/// <summary>
/// What a probe has learnt so far, filled in as the check goes, so a check that fails half-way
/// still reports the phases it got through. Timestamps come from the check's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ProbeTrace(TimeProvider time)
{
    private readonly long _startedAt = time.GetTimestamp();

    public TimeProvider Time { get; } = time;

    public List<IPAddress> Addresses { get; } = [];
    public IPEndPoint? Remote { get; set; }
    public bool Connected { get; set; }
    public string? Error { get; set; }
    public PhaseTimes Phases { get; set; } = new();
    public CertificateCapture Certificates { get; } = new();
    public string? TlsProtocol { get; set; }

    public long Now() => Time.GetTimestamp();

    public TimeSpan Since(long timestamp) => Time.GetElapsedTime(timestamp);

    /// <summary>An observation with everything recorded so far; <paramref name="fill"/> adds the probe's own fields.</summary>
    public Observation ToObservation(Func<Observation, Observation>? fill = null)
    {
        var observation = new Observation
        {
            Connected = Connected,
            Error = Error,
            ResponseTime = Since(_startedAt),
            Phases = Phases,
            Addresses = [.. Addresses.Distinct()],
            RemoteEndPoint = Remote,
            Certificates = Certificates.Certificates,
            TlsPolicyErrors = Certificates.PolicyErrors,
            TlsProtocol = TlsProtocol,
            ObservedAt = Time.GetUtcNow(),
        };
        return fill is null ? observation : fill(observation);
    }
}
