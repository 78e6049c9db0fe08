using System.Net;
using Lifeline.Checks.Dns;

namespace Lifeline.Checks;

/// <summary>Settings shared by every check a <see cref="CheckRunner"/> makes.</summary>
public sealed record CheckRunnerOptions
{
    /// <summary>Nameserver for DNS monitors that name none in their target; default: the first in <see cref="ResolvConfPath"/>.</summary>
    public IPEndPoint? Nameserver { get; init; }

    /// <summary>Where the system's nameservers are listed; default /etc/resolv.conf.</summary>
    public string ResolvConfPath { get; init; } = ResolvConf.DefaultPath;

    /// <summary>Bytes of an HTTP body or TCP reply kept for conditions; default 64 KiB.</summary>
    public int BodyLimit { get; init; } = 64 * 1024;

    /// <summary>Redirects an HTTP check follows; default 10.</summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>Whether https targets must present valid certificates; default true. TLS monitors never require it.</summary>
    public bool ValidateCertificates { get; init; } = true;

    /// <summary>
    /// Resolves a host name to every address it has (A and AAAA) for monitors with
    /// <c>allAddresses</c>; default the system resolver. Tests give their own.
    /// </summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = System.Net.Dns.GetHostAddressesAsync;
}
