namespace Lifeline.Core;

/// <summary>What a monitor watches: pushed signals, or one of the active probes.</summary>
public enum MonitorKind
{
    Push,
    Http,
    Tcp,
    Dns,
    Tls,
}

/// <summary>A monitor's state as users see it.</summary>
public enum MonitorStatus
{
    /// <summary>Created, no signal yet; never alerts.</summary>
    New,
    Up,
    /// <summary>Past its deadline but within its grace period.</summary>
    Late,
    Down,
    Paused,
    /// <summary>Active monitors checked from several locations: some, fewer than the quorum, see it fail. Shown; no down notice.</summary>
    Degraded,
}

/// <summary>Wire names of kinds and statuses (lower case, as in the contract).</summary>
public static class WireNames
{
    public static string Of(MonitorKind kind) => kind switch
    {
        MonitorKind.Push => "push",
        MonitorKind.Http => "http",
        MonitorKind.Tcp => "tcp",
        MonitorKind.Dns => "dns",
        MonitorKind.Tls => "tls",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string Of(MonitorStatus status) => status switch
    {
        MonitorStatus.New => "new",
        MonitorStatus.Up => "up",
        MonitorStatus.Late => "late",
        MonitorStatus.Down => "down",
        MonitorStatus.Paused => "paused",
        MonitorStatus.Degraded => "degraded",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParseKind(string? text, out MonitorKind kind)
    {
        foreach (var k in Enum.GetValues<MonitorKind>())
        {
            if (string.Equals(Of(k), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    public static bool TryParseStatus(string? text, out MonitorStatus status)
    {
        foreach (var s in Enum.GetValues<MonitorStatus>())
        {
            if (string.Equals(Of(s), text, StringComparison.OrdinalIgnoreCase))
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }
}
