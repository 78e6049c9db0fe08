namespace Lifeline.Core.Tests.Maintenance;

/// <summary>What a window does to each kind of notice.</summary>
public sealed class MaintenanceMuteTests
{
    private static Notice Notice(string type, bool reminder = false) => new()
    {
        Type = type,
        At = DateTimeOffset.UnixEpoch,
        Reason = "r",
        Reminder = reminder,
        Monitor = new NoticeMonitor { Id = "m1", Name = "backup", Kind = "push", Status = "down" },
    };

    [Fact]
    public void A_down_notice_in_a_window_is_held_and_marks_its_incident()
    {
        MaintenanceMute.Decide(Notice(Core.Notice.DownType), IncidentChange.Open, covered: true, incidentMuted: false).ShouldBe(NoticeFate.DropAndMarkIncident);
        MaintenanceMute.Decide(Notice(Core.Notice.DownType), IncidentChange.Open, covered: false, incidentMuted: false).ShouldBe(NoticeFate.Send);
    }

    [Fact]
    public void A_recovery_is_held_only_when_its_down_notice_was()
    {
        MaintenanceMute.Decide(Notice(Core.Notice.UpType), IncidentChange.Close, covered: true, incidentMuted: true).ShouldBe(NoticeFate.Drop);
        MaintenanceMute.Decide(Notice(Core.Notice.UpType), IncidentChange.Close, covered: true, incidentMuted: false).ShouldBe(NoticeFate.Send);
    }

    [Fact]
    public void A_reminder_is_held_in_a_window_and_while_its_incident_is_muted()
    {
        MaintenanceMute.Decide(Notice(Core.Notice.DownType, reminder: true), IncidentChange.None, covered: true, incidentMuted: false).ShouldBe(NoticeFate.Drop);
        MaintenanceMute.Decide(Notice(Core.Notice.DownType, reminder: true), IncidentChange.None, covered: false, incidentMuted: true).ShouldBe(NoticeFate.Drop);
        MaintenanceMute.Decide(Notice(Core.Notice.DownType, reminder: true), IncidentChange.None, covered: false, incidentMuted: false).ShouldBe(NoticeFate.Send);
    }

    [Fact]
    public void The_window_end_notice_names_the_original_reason_without_the_maintenance_note()
    {
        var monitor = new Monitor { Id = "m1", Name = "backup", Status = MonitorStatus.Down };

        var notice = MaintenanceMute.StillDownAfterWindow(monitor, "disk full" + MaintenanceMute.IncidentNote, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));

        notice.Reason.ShouldBe("still down after maintenance: disk full");
        notice.IsDown.ShouldBeTrue();
        notice.IncidentStartedAt.ShouldBe(DateTimeOffset.UnixEpoch);
    }
}
