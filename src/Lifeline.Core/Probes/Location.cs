namespace Lifeline.Core.Probes;

/// <summary>
/// A named pool of remote probes. <see cref="WatchMonitorId"/> is the push monitor that hears every
/// call of the location's probes, so a location that stops reporting alerts like any silent job.
/// </summary>
public sealed record Location(string Id, string Name, DateTimeOffset CreatedAt, string? WatchMonitorId);

/// <summary>One enrolled probe of a location. Only a hash of its secret is kept.</summary>
public sealed record ProbeInfo(string Id, string LocationId, string Name, byte[] SecretHash, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt);

/// <summary>What a probe presents: "&lt;probe id&gt;.&lt;secret&gt;".</summary>
public static class ProbeCredential
{
    public static string Of(string probeId, string secret) => $"{probeId}.{secret}";

    public static bool TryParse(string? credential, out string probeId, out string secret)
    {
        probeId = secret = "";
        var dot = credential?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (credential is null || dot <= 0 || dot == credential.Length - 1)
        {
            return false;
        }
        probeId = credential[..dot];
        secret = credential[(dot + 1)..];
        return true;
    }
}
