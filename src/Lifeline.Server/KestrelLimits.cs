using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server;

/// <summary>
/// Kestrel's limits from <see cref="LifelineOptions"/>: idle and slow connections are shed, and
/// inbound connections never use up the file descriptors the store and outgoing checks and
/// notices need (running out of them ends the process).
/// </summary>
internal sealed class KestrelLimits(IOptions<LifelineOptions> options, ILogger<KestrelLimits> logger) : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>Descriptors kept for everything but inbound connections: a quarter of the limit, and at least this many.</summary>
    public const int MinimumReserve = 192;

    public void Configure(KestrelServerOptions kestrel)
    {
        var settings = options.Value;
        var limits = kestrel.Limits;
        var connections = MaxConnections(settings.MaxConnections, FileDescriptors.RaiseToHardLimit(), FileDescriptors.OpenNow(), out var reason);
        limits.MaxConcurrentConnections = connections;
        limits.MaxConcurrentUpgradedConnections = connections;
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(settings.KeepAliveTimeoutSeconds);
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(settings.RequestHeadersTimeoutSeconds);
        var grace = TimeSpan.FromSeconds(settings.MinDataRateGraceSeconds);
        limits.MinRequestBodyDataRate = settings.MinRequestBodyBytesPerSecond > 0 ? new MinDataRate(settings.MinRequestBodyBytesPerSecond, grace) : null;
        limits.MinResponseDataRate = settings.MinResponseBytesPerSecond > 0 ? new MinDataRate(settings.MinResponseBytesPerSecond, grace) : null;
        limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = settings.MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = settings.MaxRequestHeaderCount;
        logger.LogInformation("Inbound connections at most {Connections} ({Reason}); idle ones are closed after {KeepAlive} s",
            connections, reason, settings.KeepAliveTimeoutSeconds);
    }

    /// <summary>
    /// The configured maximum, lowered to fit the descriptors left under the limit once the files
    /// open now (<paramref name="openNow"/>) and a reserve of a third of the limit (at least
    /// <see cref="MinimumReserve"/>) for the database, its logs, assemblies still to load and
    /// outgoing connections are set aside; never below <see cref="Floor"/>.
    /// </summary>
    public static long MaxConnections(long configured, long? descriptorLimit, int openNow, out string reason)
    {
        if (descriptorLimit is not { } limit)
        {
            reason = "as configured";
            return configured;
        }
        var reserve = Math.Max(MinimumReserve, limit / 3);
        var fits = Math.Max(Floor, limit - openNow - reserve);
        if (fits >= configured)
        {
            reason = $"as configured; the open-file limit is {limit}";
            return configured;
        }
        reason = $"lowered from {configured}: the open-file limit is {limit}, {openNow} files are open and {reserve} are kept for files and outgoing connections";
        return fits;
    }

    /// <summary>Fewest inbound connections allowed, however low the open-file limit.</summary>
    public const int Floor = 16;
}
