namespace Lifeline.Server.StatusPages;

/// <summary>The overall state a status page's banner shows.</summary>
internal enum Banner
{
    Operational,
    PartialOutage,
    MajorOutage,
    Maintenance,
}

/// <summary>One monitor as a status page shows it: only its name, state and uptime.</summary>
internal sealed record MonitorView(string Name, MonitorStatus Status, bool InMaintenance, double? Uptime, IReadOnlyList<UptimeDay> Days)
{
    /// <summary>The state in words (the page never relies on colour alone).</summary>
    public string StateText => InMaintenance && Status is not MonitorStatus.Up ? "Under maintenance" : Status switch
    {
        MonitorStatus.Up => "Operational",
        MonitorStatus.Late => "Late",
        MonitorStatus.Degraded => "Degraded",
        MonitorStatus.Down => "Down",
        MonitorStatus.Paused => "Paused",
        _ => "No data yet",
    };

    /// <summary>A CSS class and wire name for the state.</summary>
    public string StateKey => InMaintenance && Status is not MonitorStatus.Up ? "maintenance" : WireNames.Of(Status);
}

internal sealed record GroupView(string Name, IReadOnlyList<MonitorView> Monitors);

/// <summary>A maintenance occurrence in progress or coming, with the names of the page's monitors it covers.</summary>
internal sealed record MaintenanceView(DateTimeOffset Start, DateTimeOffset? End, bool InProgress, IReadOnlyList<string> Monitors);

/// <summary>Everything a status page shows, read once and rendered as HTML, JSON and Atom.</summary>
internal sealed record StatusView(
    StatusPage Page,
    IReadOnlyList<GroupView> Groups,
    Banner Banner,
    double? Uptime,
    IReadOnlyList<StatusNote> Notes,
    IReadOnlyList<MaintenanceView> Maintenance,
    DateTimeOffset At,
    string PageUrl,
    IReadOnlyDictionary<string, MonitorStatus> Shows)
{
    public string BannerText => Banner switch
    {
        Banner.MajorOutage => "Major outage",
        Banner.PartialOutage => "Partial outage",
        Banner.Maintenance => "Under maintenance",
        _ => "All systems operational",
    };

    public string BannerKey => Banner switch
    {
        Banner.MajorOutage => "major_outage",
        Banner.PartialOutage => "partial_outage",
        Banner.Maintenance => "maintenance",
        _ => "operational",
    };
}
