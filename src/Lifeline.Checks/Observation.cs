using System.Net;
using System.Net.Security;
using Lifeline.Checks.Dns;
using Lifeline.Checks.Tls;

namespace Lifeline.Checks;

/// <summary>
/// Everything one probe saw. Conditions read their placeholders from here; a field a probe does
/// not fill stays null (or empty) and a condition reading it sees "n/a".
/// </summary>
public sealed record Observation
{
    /// <summary>Whether a connection (or, for DNS, an answer) was obtained.</summary>
    public bool Connected { get; init; }

    /// <summary>Why the probe could not finish, in a short human sentence; null when it did.</summary>
    public string? Error { get; init; }

    /// <summary>Total time of the check, redirects included.</summary>
    public TimeSpan ResponseTime { get; init; }

    /// <summary>Time phases; each is null when the phase did not happen (no DNS for an IP target, no TLS on http://).</summary>
    public PhaseTimes Phases { get; init; } = new();

    /// <summary>Every address the target's name resolved to (for DNS monitors: every A and AAAA answer).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>The address the connection was made to, when one was made.</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }

    // HTTP.
    public int? StatusCode { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>HTTP response body, TCP reply line, or the bare DNS answers (<see cref="DnsAnswer.Value"/>) one per line; capped by the probe's body limit.</summary>
    public string? Body { get; init; }
    public bool BodyTruncated { get; init; }
    public int Redirects { get; init; }
    /// <summary>The URL that gave the final answer after redirects.</summary>
    public Uri? FinalUrl { get; init; }

    // DNS.
    /// <summary>Response code name such as NOERROR or NXDOMAIN.</summary>
    public string? DnsRcode { get; init; }
    public IReadOnlyList<DnsAnswer> DnsAnswers { get; init; } = [];
    public IPEndPoint? Nameserver { get; init; }

    /// <summary>Whether a DNS check made this observation: its <c>[BODY]</c> is then each bare answer.</summary>
    public bool IsDns => Nameserver is not null;

    // TLS (tls monitors and https targets).
    /// <summary>Every certificate the server presented plus the ones the chain was built with, leaf first, without duplicates.</summary>
    public IReadOnlyList<CertificateInfo> Certificates { get; init; } = [];
    public SslPolicyErrors? TlsPolicyErrors { get; init; }
    public string? TlsProtocol { get; init; }

    /// <summary>The earliest expiry across <see cref="Certificates"/>; null without certificates.</summary>
    public DateTimeOffset? EarliestCertificateExpiry =>
        Certificates.Count == 0 ? null : Certificates.Min(c => c.NotAfter);

    // Domain (only looked up when a condition reads [DOMAIN_EXPIRATION]).
    /// <summary>When the target's domain expires, as its registry says over RDAP.</summary>
    public DateTimeOffset? DomainExpiresAt { get; init; }

    /// <summary>Why <see cref="DomainExpiresAt"/> is not known, when it was asked for and is not.</summary>
    public string? DomainExpiryError { get; init; }

    /// <summary>The instant the observation was taken (end of the check), from the check's clock.</summary>
    public DateTimeOffset ObservedAt { get; init; }
}

/// <summary>
/// How long each phase of a check took. DNS, connect and TLS cover the connection; first byte runs
/// from the ready connection to the first byte of the answer; transfer from there to the end of
/// the body. With redirects every phase is summed over the hops.
/// </summary>
public sealed record PhaseTimes
{
    public TimeSpan? Dns { get; init; }
    public TimeSpan? Connect { get; init; }
    public TimeSpan? Tls { get; init; }
    public TimeSpan? FirstByte { get; init; }
    public TimeSpan? Transfer { get; init; }

    internal PhaseTimes Plus(PhaseTimes other) => new()
    {
        Dns = Add(Dns, other.Dns),
        Connect = Add(Connect, other.Connect),
        Tls = Add(Tls, other.Tls),
        FirstByte = Add(FirstByte, other.FirstByte),
        Transfer = Add(Transfer, other.Transfer),
    };

    private static TimeSpan? Add(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a + b;
}
