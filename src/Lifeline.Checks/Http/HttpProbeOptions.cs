namespace Lifeline.Checks.Http;

/// <summary>One HTTP check.</summary>
public sealed record HttpProbeOptions
{
    /// <summary>An absolute http:// or https:// URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Connect to this address instead of resolving the URL's host (an allAddresses check); the Host
    /// header, SNI and certificate validation still use the name. Redirects to another host resolve
    /// as usual. Default null (resolve).
    /// </summary>
    public System.Net.IPAddress? Address { get; init; }

    /// <summary>Default GET.</summary>
    public string Method { get; init; } = "GET";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Request body; sent as JSON when it looks like JSON and no Content-Type header is given.</summary>
    public string? Body { get; init; }

    /// <summary>Limit for the whole check, redirects included; default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed before the check fails; default 10.</summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>Whether an https target must present a valid certificate for its host name; default true.</summary>
    public bool ValidateCertificates { get; init; } = true;

    /// <summary>Bytes of the body kept for conditions; the rest is not read. Default 64 KiB.</summary>
    public int BodyLimit { get; init; } = 64 * 1024;
}
