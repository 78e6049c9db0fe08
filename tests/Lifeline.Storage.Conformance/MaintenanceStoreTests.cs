namespace Lifeline.Storage.Conformance;

/// <summary>Maintenance windows: notices held in a window, the window-end alert once, pause windows, stored occurrences.</summary>
public abstract class MaintenanceStoreTests : StoreTests
{
    private async Task<Monitor> MonitorAsync(string name = "backup", params string[] tags)
    {
        if (await F.Channels.FindAsync("c1", Ct) is null)
        {
            await F.Channels.AddAsync(new ChannelConfig("c1", "webhook", "one", [], F.Clock.GetUtcNow()), Ct);
        }
        var monitor = await F.Monitors.AddAsync(F.NewPush(name, channels: ["c1"]) with { Tags = tags }, Ct);
        return (await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Monitor!;
    }

    private async Task<MaintenanceWindow> WindowAsync(TimeSpan length, string[]? monitors = null, string[]? tags = null, MaintenanceEffect effect = MaintenanceEffect.Mute)
    {
        var now = F.Clock.GetUtcNow();
        var window = new MaintenanceWindow
        {
            Id = Secrets.NewId(), Name = "upgrade", Kind = MaintenanceKind.Once, Monitors = monitors ?? [], Tags = tags ?? [],
            Start = now, End = now + length, Effect = effect, CreatedAt = now,
        };
        await F.Maintenance.AddWindowAsync(window, window.OccurrencesAround(now), Ct);
        return window;
    }

    private Task<SignalResult> Signal(Monitor m, Signal signal) => F.Monitors.RecordAsync(SignalAddress.ForToken(m.PushToken!), signal, Ct);

    private Task<int> Pending() => F.Outbox.PendingCountAsync(Ct);

    [Fact]
    public async Task A_down_signal_in_a_window_is_recorded_without_a_notice_and_its_incident_says_in_maintenance()
    {
        var monitor = await MonitorAsync();
        await WindowAsync(TimeSpan.FromHours(1), monitors: [monitor.Id]);

        await Signal(monitor, F.Down("disk full"));

        (await F.Monitors.FindAsync(monitor.Id, Ct))!.Status.ShouldBe(MonitorStatus.Down);
        (await Pending()).ShouldBe(0);
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Single().Reason.ShouldBe("disk full (in maintenance)");
    }

    [Fact]
    public async Task A_monitor_still_down_when_its_window_ends_alerts_once()
    {
        var monitor = await MonitorAsync();
        await WindowAsync(TimeSpan.FromHours(1), monitors: [monitor.Id]);
        await Signal(monitor, F.Down("disk full"));

        F.Clock.Advance(TimeSpan.FromMinutes(59));
        var inWindow = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(1));
        var atEnd = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);
        var again = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);

        inWindow.ShouldBe(0);
        atEnd.ShouldBe(1);
        again.ShouldBe(0);
        var notice = (await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct)).Single().Notice;
        notice.IsDown.ShouldBeTrue();
        notice.Reason.ShouldBe("still down after maintenance: disk full");
    }

    [Fact]
    public async Task A_recovery_after_a_held_down_notice_is_held_too_and_nothing_alerts_at_the_end()
    {
        var monitor = await MonitorAsync();
        await WindowAsync(TimeSpan.FromHours(1), monitors: [monitor.Id]);
        await Signal(monitor, F.Down());
        await Signal(monitor, F.Up());

        F.Clock.Advance(TimeSpan.FromHours(2));
        var alerted = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);

        alerted.ShouldBe(0);
        (await Pending()).ShouldBe(0);
    }

    [Fact]
    public async Task A_recovery_in_a_window_of_a_down_notice_sent_before_it_goes_out()
    {
        var monitor = await MonitorAsync();
        await Signal(monitor, F.Down());
        await WindowAsync(TimeSpan.FromHours(1), monitors: [monitor.Id]);

        await Signal(monitor, F.Up());

        var notices = await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct);
        notices.Single().Notice.IsDown.ShouldBeTrue();
        await F.Outbox.CompleteAsync(notices[0], new DeliveryOutcome(DeliveryState.Sent, F.Clock.GetUtcNow(), null, null, 200), Ct);
        (await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct)).Single().Notice.IsUp.ShouldBeTrue();
    }

    [Fact]
    public async Task A_window_covers_monitors_carrying_one_of_its_tags_and_no_others()
    {
        var tagged = await MonitorAsync("db", "database");
        var other = await MonitorAsync("web", "frontend");
        await WindowAsync(TimeSpan.FromHours(1), tags: ["database"]);

        await Signal(tagged, F.Down());
        await Signal(other, F.Down());

        var notices = await F.Outbox.ClaimAsync(F.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct);
        notices.Single().Notice.Monitor.Name.ShouldBe("web");
        var inForce = await F.Maintenance.InForceAsync(F.Clock.GetUtcNow(), Ct);
        inForce.Single().Window.Covers(tagged).ShouldBeTrue();
        inForce.Single().Window.Covers(other).ShouldBeFalse();
    }

    [Fact]
    public async Task A_pause_window_pauses_its_monitors_once_and_resumes_them_at_its_end()
    {
        var covered = await MonitorAsync("db");
        var pausedBefore = await MonitorAsync("old");
        await F.Monitors.ChangeAsync(pausedBefore.Id, MonitorMachine.Pause, Ct);
        await WindowAsync(TimeSpan.FromHours(1), monitors: [covered.Id, pausedBefore.Id], effect: MaintenanceEffect.Pause);

        var paused = await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);
        var pausedAgain = await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);
        var during = (await F.Monitors.FindAsync(covered.Id, Ct))!.Status;
        F.Clock.Advance(TimeSpan.FromHours(1));
        var resumed = await F.Maintenance.EndPausesAsync(F.Clock.GetUtcNow(), Ct);
        var resumedAgain = await F.Maintenance.EndPausesAsync(F.Clock.GetUtcNow(), Ct);

        (paused, pausedAgain, during).ShouldBe((1, 0, MonitorStatus.Paused));
        (resumed, resumedAgain).ShouldBe((1, 0));
        (await F.Monitors.FindAsync(covered.Id, Ct))!.Status.ShouldBe(MonitorStatus.Up);
        (await F.Monitors.FindAsync(pausedBefore.Id, Ct))!.Status.ShouldBe(MonitorStatus.Paused);
    }

    [Fact]
    public async Task A_monitor_that_joins_a_running_pause_window_by_tag_or_by_the_window_list_is_paused_and_resumed_with_it()
    {
        var first = await MonitorAsync("db1", "rack");
        var byTag = await MonitorAsync("db2");
        var byList = await MonitorAsync("db3");
        var window = await WindowAsync(TimeSpan.FromHours(1), tags: ["rack"], effect: MaintenanceEffect.Pause);
        var started = await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);

        F.Clock.Advance(TimeSpan.FromMinutes(10));
        await F.Monitors.ChangeAsync(byTag.Id, m => new Flip(m with { Tags = ["rack"] }, m.Status, IncidentChange.None, null), Ct);
        var edited = window with { Monitors = [byList.Id] };
        await F.Maintenance.UpdateWindowAsync(edited, edited.OccurrencesAround(F.Clock.GetUtcNow()), F.Clock.GetUtcNow(), Ct);
        var joined = await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);
        var joinedAgain = await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);
        var during = new List<MonitorStatus> { (await F.Monitors.FindAsync(byTag.Id, Ct))!.Status, (await F.Monitors.FindAsync(byList.Id, Ct))!.Status };
        F.Clock.Advance(TimeSpan.FromHours(1));
        var resumed = await F.Maintenance.EndPausesAsync(F.Clock.GetUtcNow(), Ct);

        (started, joined, joinedAgain).ShouldBe((1, 2, 0));
        during.ShouldBe([MonitorStatus.Paused, MonitorStatus.Paused]);
        resumed.ShouldBe(3);
        foreach (var monitor in new[] { first, byTag, byList })
        {
            (await F.Monitors.FindAsync(monitor.Id, Ct))!.Status.ShouldBe(MonitorStatus.Up);
        }
    }

    [Fact]
    public async Task Occurrences_are_stored_once_whoever_adds_them_and_outlive_a_restart()
    {
        var monitor = await MonitorAsync();
        var now = F.Clock.GetUtcNow();
        var window = new MaintenanceWindow
        {
            Id = Secrets.NewId(), Name = "nightly", Kind = MaintenanceKind.Recurring, Monitors = [monitor.Id],
            Schedule = "0 * * * *", Duration = TimeSpan.FromMinutes(30), CreatedAt = now,
        };
        await F.Maintenance.AddWindowAsync(window, [], Ct);
        await F.Maintenance.AddOccurrencesAsync(window.OccurrencesAround(now + TimeSpan.FromMinutes(1)), Ct);
        await F.Maintenance.AddOccurrencesAsync(window.OccurrencesAround(now + TimeSpan.FromMinutes(2)), Ct);

        await F.ReopenAsync();
        var inForce = await F.Maintenance.InForceAsync(now + TimeSpan.FromMinutes(10), Ct);

        inForce.Single().Current!.StartsAt.ShouldBe(now);
        inForce.Single().Current!.EndsAt.ShouldBe(now + TimeSpan.FromMinutes(30));
        (await F.Maintenance.InForceAsync(now + TimeSpan.FromMinutes(30), Ct)).ShouldBeEmpty();
        (await F.Maintenance.WindowsAsync(Ct)).Single().Schedule.ShouldBe("0 * * * *");
    }

    [Fact]
    public async Task Ending_a_manual_window_ends_its_mute_and_a_monitor_still_down_alerts()
    {
        var monitor = await MonitorAsync();
        var now = F.Clock.GetUtcNow();
        var window = new MaintenanceWindow { Id = Secrets.NewId(), Name = "hands-on", Kind = MaintenanceKind.Manual, Monitors = [monitor.Id], Start = now, CreatedAt = now };
        await F.Maintenance.AddWindowAsync(window, window.OccurrencesAround(now), Ct);
        F.Clock.Advance(TimeSpan.FromDays(3));
        await Signal(monitor, F.Down());
        var stillMuted = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);

        var ended = await F.Maintenance.EndOccurrenceAsync(window.Id, F.Clock.GetUtcNow(), Ct);
        var endedTwice = await F.Maintenance.EndOccurrenceAsync(window.Id, F.Clock.GetUtcNow(), Ct);
        var alerted = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);

        (stillMuted, ended, endedTwice, alerted).ShouldBe((0, true, false, 1));
    }

    [Fact]
    public async Task Deleting_a_window_resumes_what_it_paused_and_lets_a_held_down_alert()
    {
        var paused = await MonitorAsync("db");
        var down = await MonitorAsync("web");
        var pauser = await WindowAsync(TimeSpan.FromHours(1), monitors: [paused.Id], effect: MaintenanceEffect.Pause);
        var muter = await WindowAsync(TimeSpan.FromHours(1), monitors: [down.Id]);
        await F.Maintenance.StartPausesAsync(F.Clock.GetUtcNow(), Ct);
        await Signal(down, F.Down());

        await F.Maintenance.DeleteWindowAsync(pauser.Id, F.Clock.GetUtcNow(), Ct);
        await F.Maintenance.DeleteWindowAsync(muter.Id, F.Clock.GetUtcNow(), Ct);
        var alerted = await F.Maintenance.AlertAfterWindowsAsync(F.Clock.GetUtcNow(), Ct);

        (await F.Monitors.FindAsync(paused.Id, Ct))!.Status.ShouldBe(MonitorStatus.Up);
        alerted.ShouldBe(1);
        (await F.Maintenance.WindowsAsync(Ct)).ShouldBeEmpty();
    }
}
