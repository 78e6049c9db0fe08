using System.Net;

namespace Lifeline.Checks.Dns;

/// <summary>One DNS check: ask a nameserver about a name over UDP, and over TCP when the UDP answer is truncated.</summary>
public sealed record DnsProbeOptions
{
    public required string Name { get; init; }

    /// <summary>Where to ask.</summary>
    public required IPEndPoint Nameserver { get; init; }

    /// <summary>Record types asked for, one query each; default A and AAAA.</summary>
    public IReadOnlyList<DnsRecordType> Types { get; init; } = [DnsRecordType.A, DnsRecordType.AAAA];

    /// <summary>Limit for the whole check, measured on the check's clock; default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A query without an answer is sent again after this long; default 1 s. The resolver library
    /// times each try on the real clock; only <see cref="Timeout"/> runs on the check's clock.
    /// </summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(1);
}
