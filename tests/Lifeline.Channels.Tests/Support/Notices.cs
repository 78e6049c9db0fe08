namespace Lifeline.Channels.Tests.Support;

/// <summary>Sample notices and channel configs for tests.</summary>
public static class Notices
{
    public static readonly DateTimeOffset Started = new(2026, 1, 5, 11, 40, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset At = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    public static Notice Down(string name = "backup-db", string reason = "no signal for 20 min") => new()
    {
        Type = Notice.DownType,
        At = At,
        Reason = reason,
        IncidentStartedAt = At,
        PreviousStatus = "up",
        Monitor = new NoticeMonitor
        {
            Id = "mon_42",
            Name = name,
            Kind = "push",
            Status = "down",
            LastSignalAt = Started,
            LastMessage = "disk 91% full",
            Url = "http://127.0.0.1:5080/#/monitors/mon_42",
        },
    };

    public static Notice Up() => Down() with
    {
        Type = Notice.UpType,
        At = At.AddMinutes(25),
        Reason = "signal received",
        IncidentStartedAt = At,
        PreviousStatus = "down",
    };

    public static Notice Test() => Down() with { Type = Notice.TestType, Reason = "test notice", IncidentStartedAt = null };

    public static NoticeDelivery Delivery(int attempt = 1) => new("dlv_7f3a", attempt, At);

    public static ChannelConfig Channel(string kind, System.Text.Json.Nodes.JsonObject settings) => new("ch_1", kind, "test channel", settings, At);
}
