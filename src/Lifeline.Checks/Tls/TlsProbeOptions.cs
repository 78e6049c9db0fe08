namespace Lifeline.Checks.Tls;

/// <summary>One TLS check: a handshake with host:port that records the certificates and never rejects them.</summary>
public sealed record TlsProbeOptions
{
    public required string Host { get; init; }
    public required int Port { get; init; }

    /// <summary>Connect to this address instead of resolving <see cref="Host"/>; SNI and validation still use the name. Default null (resolve).</summary>
    public System.Net.IPAddress? Address { get; init; }

    /// <summary>The name sent as SNI and validated against the certificate; default <see cref="Host"/>.</summary>
    public string? ServerName { get; init; }

    /// <summary>Limit for the whole check; default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
