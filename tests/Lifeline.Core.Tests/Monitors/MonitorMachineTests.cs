namespace Lifeline.Core.Tests.Monitors;

public class MonitorMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Monitor Push(MonitorStatus status = MonitorStatus.New, TimeSpan? period = null, TimeSpan? grace = null) => new()
    {
        Id = "m1",
        Name = "backup",
        Status = status,
        PushToken = "token-123456",
        Period = period ?? TimeSpan.FromSeconds(60),
        Grace = grace ?? TimeSpan.Zero,
        CreatedAt = T0,
    };

    private static Signal Up(DateTimeOffset at, string? msg = "OK") => new() { Kind = SignalKind.Push, At = at, Message = msg };

    private static Signal Down(DateTimeOffset at, string? msg = "backup-failed") => new() { Kind = SignalKind.Push, Ok = false, At = at, Message = msg };

    [Fact]
    public void A_first_good_signal_makes_a_new_monitor_up_with_a_deadline_one_period_later()
    {
        var flip = MonitorMachine.OnSignal(Push(), Up(T0));

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Next.NextDeadlineAt.ShouldBe(T0.AddSeconds(60));
        flip.Next.DueAt.ShouldBe(T0.AddSeconds(60));
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void A_down_push_makes_the_monitor_down_at_once_and_plans_a_notice_carrying_the_message()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        var flip = MonitorMachine.OnSignal(up, Down(T0.AddSeconds(5)));

        flip.Next.Status.ShouldBe(MonitorStatus.Down);
        flip.Incident.ShouldBe(IncidentChange.Open);
        flip.Notice!.Type.ShouldBe(Notice.DownType);
        flip.Notice.Reason.ShouldBe("backup-failed");
        flip.Notice.PreviousStatus.ShouldBe("up");
    }

    [Fact]
    public void A_monitor_that_is_down_after_a_down_push_has_no_deadline_so_no_no_heartbeat_alert_follows()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0)).Next;

        down.DueAt.ShouldBeNull();
        MonitorMachine.OnDue(down, T0.AddHours(5)).ShouldBeNull();
    }

    [Fact]
    public void A_second_down_push_while_down_plans_no_second_notice()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0)).Next with { OpenIncidentId = 7 };

        var flip = MonitorMachine.OnSignal(down, Down(T0.AddSeconds(30), "still failing"));

        flip.Notice.ShouldBeNull();
        flip.Next.LastMessage.ShouldBe("still failing");
    }

    [Fact]
    public void The_next_good_signal_after_down_recovers_and_plans_one_recovery_notice()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0)).Next with { OpenIncidentId = 7 };

        var flip = MonitorMachine.OnSignal(down, Up(T0.AddSeconds(30)));

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Incident.ShouldBe(IncidentChange.Close);
        flip.Notice!.Type.ShouldBe(Notice.UpType);
        flip.Notice.PreviousStatus.ShouldBe("down");
    }

    [Fact]
    public void A_recovery_by_a_signal_with_no_message_does_not_repeat_the_failure_message_as_its_reason()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0, "backup-failed")).Next with { OpenIncidentId = 7 };

        var flip = MonitorMachine.OnSignal(down, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(30) });

        flip.Notice!.Type.ShouldBe(Notice.UpType);
        flip.Notice.Reason.ShouldBe("signal received: OK");
    }

    [Fact]
    public void Silence_past_the_deadline_with_grace_makes_the_monitor_late_without_a_notice()
    {
        var up = MonitorMachine.OnSignal(Push(grace: TimeSpan.FromSeconds(30)), Up(T0)).Next;

        var flip = MonitorMachine.OnDue(up, T0.AddSeconds(61))!;

        flip.Next.Status.ShouldBe(MonitorStatus.Late);
        flip.Next.DueAt.ShouldBe(T0.AddSeconds(90));
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void Silence_past_deadline_and_grace_makes_a_late_monitor_down_with_one_notice()
    {
        var up = MonitorMachine.OnSignal(Push(grace: TimeSpan.FromSeconds(30)), Up(T0)).Next;
        var late = MonitorMachine.OnDue(up, T0.AddSeconds(61))!.Next;

        var flip = MonitorMachine.OnDue(late, T0.AddSeconds(90))!;

        flip.Next.Status.ShouldBe(MonitorStatus.Down);
        flip.Notice!.Type.ShouldBe(Notice.DownType);
        flip.Notice.Reason.ShouldContain("no signal since");
        flip.Next.DueAt.ShouldBeNull();
    }

    [Fact]
    public void Silence_past_the_deadline_without_grace_goes_straight_to_down()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        MonitorMachine.OnDue(up, T0.AddSeconds(60))!.Next.Status.ShouldBe(MonitorStatus.Down);
    }

    [Fact]
    public void A_sweep_that_runs_late_past_the_grace_goes_straight_to_down()
    {
        var up = MonitorMachine.OnSignal(Push(grace: TimeSpan.FromSeconds(30)), Up(T0)).Next;

        MonitorMachine.OnDue(up, T0.AddSeconds(200))!.Next.Status.ShouldBe(MonitorStatus.Down);
    }

    [Fact]
    public void A_ping_before_the_due_time_keeps_it_and_moves_only_the_deadline()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        var again = MonitorMachine.OnSignal(up, Up(T0.AddSeconds(10))).Next;

        again.NextDeadlineAt.ShouldBe(T0.AddSeconds(70));
        again.DueAt.ShouldBe(T0.AddSeconds(60));
    }

    [Fact]
    public void At_a_kept_due_time_the_sweep_waits_for_the_real_deadline_without_an_alert()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;
        var again = MonitorMachine.OnSignal(up, Up(T0.AddSeconds(10))).Next;

        var rearmed = MonitorMachine.OnDue(again, T0.AddSeconds(60))!;
        var down = MonitorMachine.OnDue(rearmed.Next, T0.AddSeconds(70))!;

        rearmed.Next.Status.ShouldBe(MonitorStatus.Up);
        rearmed.Next.DueAt.ShouldBe(T0.AddSeconds(70));
        rearmed.Notice.ShouldBeNull();
        down.Next.Status.ShouldBe(MonitorStatus.Down);
        down.Notice!.Reason.ShouldContain("expected by 2026-03-01T12:01:10Z");
    }

    [Fact]
    public void An_outage_keeps_a_deadline_that_is_still_ahead_after_the_restart()
    {
        var up = MonitorMachine.OnSignal(Push(period: TimeSpan.FromMinutes(10)), Up(T0)).Next;
        var again = MonitorMachine.OnSignal(up, Up(T0.AddMinutes(9))).Next;

        var next = MonitorMachine.AfterOutage(again, T0.AddMinutes(9), T0.AddMinutes(11))!.Next;

        next.DueAt.ShouldBe(T0.AddMinutes(19));
    }

    [Fact]
    public void Nothing_is_due_before_the_deadline()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        MonitorMachine.OnDue(up, T0.AddSeconds(59)).ShouldBeNull();
    }

    [Fact]
    public void A_good_signal_while_late_makes_the_monitor_up_without_a_notice()
    {
        var up = MonitorMachine.OnSignal(Push(grace: TimeSpan.FromSeconds(30)), Up(T0)).Next;
        var late = MonitorMachine.OnDue(up, T0.AddSeconds(61))!.Next;

        var flip = MonitorMachine.OnSignal(late, Up(T0.AddSeconds(70)));

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void A_paused_monitor_is_never_due()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        var paused = MonitorMachine.Pause(up).Next;

        paused.Status.ShouldBe(MonitorStatus.Paused);
        paused.DueAt.ShouldBeNull();
        MonitorMachine.OnDue(paused, T0.AddDays(3)).ShouldBeNull();
    }

    [Fact]
    public void A_signal_resumes_a_paused_monitor()
    {
        var paused = MonitorMachine.Pause(MonitorMachine.OnSignal(Push(), Up(T0)).Next).Next;

        MonitorMachine.OnSignal(paused, Up(T0.AddMinutes(5))).Next.Status.ShouldBe(MonitorStatus.Up);
    }

    [Fact]
    public void A_signal_does_not_resume_a_paused_monitor_with_manual_resume()
    {
        var paused = MonitorMachine.Pause(Push(MonitorStatus.Up) with { ManualResume = true }).Next;

        var flip = MonitorMachine.OnSignal(paused, Down(T0));

        flip.Next.Status.ShouldBe(MonitorStatus.Paused);
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void Pausing_a_down_monitor_closes_its_incident_without_a_notice()
    {
        var down = Push(MonitorStatus.Down) with { OpenIncidentId = 3 };

        var flip = MonitorMachine.Pause(down);

        flip.Incident.ShouldBe(IncidentChange.Close);
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void Resuming_gives_a_fresh_deadline_from_now()
    {
        var paused = MonitorMachine.Pause(MonitorMachine.OnSignal(Push(), Up(T0)).Next).Next;

        var resumed = MonitorMachine.Resume(paused, T0.AddHours(1)).Next;

        resumed.Status.ShouldBe(MonitorStatus.Up);
        resumed.DueAt.ShouldBe(T0.AddHours(1).AddSeconds(60));
    }

    [Fact]
    public void A_log_signal_changes_nothing_but_the_event_count()
    {
        var down = Push(MonitorStatus.Down);

        var flip = MonitorMachine.OnSignal(down, new Signal { Kind = SignalKind.Log, At = T0, Body = "hello" });

        flip.Next.ShouldBe(down with { EventCount = 1 });
    }

    [Fact]
    public void A_success_after_a_start_with_the_same_rid_records_the_run_duration()
    {
        var rid = Guid.NewGuid();
        var started = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Start, At = T0, Rid = rid }).Next;
        started.IsStarted.ShouldBeTrue();

        var done = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(42), Rid = rid, ExitStatus = 0 }).Next;

        done.LastDurationMs.ShouldBe(42_000);
        done.IsStarted.ShouldBeFalse();
    }

    [Fact]
    public void A_success_with_another_rid_leaves_the_open_run_alone()
    {
        var started = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Start, At = T0, Rid = Guid.NewGuid() }).Next;

        var done = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(5), Rid = Guid.NewGuid() }).Next;

        done.LastDurationMs.ShouldBeNull();
        done.IsStarted.ShouldBeTrue();
    }

    [Fact]
    public void A_start_changes_no_status_and_leaves_the_last_signal_time()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;
        var paused = MonitorMachine.Pause(up).Next;

        var afterStart = MonitorMachine.OnSignal(paused, new Signal { Kind = SignalKind.Start, At = T0.AddSeconds(30) }).Next;

        afterStart.Status.ShouldBe(MonitorStatus.Paused);
        afterStart.LastSignalAt.ShouldBe(T0);
        afterStart.DueAt.ShouldBeNull();
        var fresh = MonitorMachine.OnSignal(Push(), new Signal { Kind = SignalKind.Start, At = T0 }).Next;
        fresh.Status.ShouldBe(MonitorStatus.New);
        fresh.LastSignalAt.ShouldBeNull();
        fresh.DueAt.ShouldBeNull();
    }

    [Fact]
    public void A_run_that_has_not_ended_within_grace_goes_down_naming_the_run()
    {
        var up = MonitorMachine.OnSignal(Push(period: TimeSpan.FromHours(1), grace: TimeSpan.FromMinutes(5)), Up(T0)).Next;
        var started = MonitorMachine.OnSignal(up, new Signal { Kind = SignalKind.Start, At = T0.AddMinutes(10) }).Next;

        started.DueAt.ShouldBe(T0.AddMinutes(15));
        MonitorMachine.OnDue(started, T0.AddMinutes(14)).ShouldBeNull();
        var flip = MonitorMachine.OnDue(started, T0.AddMinutes(15))!;

        flip.Next.Status.ShouldBe(MonitorStatus.Down);
        flip.Next.IsStarted.ShouldBeFalse();
        flip.Incident.ShouldBe(IncidentChange.Open);
        flip.Notice!.Reason.ShouldBe("run started at 2026-03-01T12:10:00Z did not end within the grace time (5m)");
    }

    [Fact]
    public void A_run_that_ends_within_grace_moves_the_due_time_back_to_the_deadline()
    {
        var up = MonitorMachine.OnSignal(Push(period: TimeSpan.FromHours(1), grace: TimeSpan.FromMinutes(5)), Up(T0)).Next;
        var started = MonitorMachine.OnSignal(up, new Signal { Kind = SignalKind.Start, At = T0.AddMinutes(10) }).Next;

        var done = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Success, At = T0.AddMinutes(12) }).Next;

        done.IsStarted.ShouldBeFalse();
        done.Status.ShouldBe(MonitorStatus.Up);
        done.DueAt.ShouldBe(T0.AddMinutes(72));
    }

    [Fact]
    public void Without_a_grace_time_a_run_has_no_limit_of_its_own()
    {
        var up = MonitorMachine.OnSignal(Push(period: TimeSpan.FromHours(1)), Up(T0)).Next;

        var started = MonitorMachine.OnSignal(up, new Signal { Kind = SignalKind.Start, At = T0.AddMinutes(10) }).Next;

        started.DueAt.ShouldBe(T0.AddHours(1));
    }

    [Fact]
    public void A_success_without_a_rid_ends_a_run_started_with_one_but_records_no_duration()
    {
        var started = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Start, At = T0, Rid = Guid.NewGuid() }).Next;

        var done = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(5) }).Next;

        done.IsStarted.ShouldBeFalse();
        done.LastDurationMs.ShouldBeNull();
    }

    [Fact]
    public void A_failure_ends_the_open_run_whatever_its_rid_and_only_the_same_rid_gets_a_duration()
    {
        var started = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Start, At = T0, Rid = Guid.NewGuid() }).Next;

        var failed = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Fail, Ok = false, At = T0.AddSeconds(5), Rid = Guid.NewGuid() }).Next;

        failed.IsStarted.ShouldBeFalse();
        failed.LastDurationMs.ShouldBeNull();
        failed.Status.ShouldBe(MonitorStatus.Down);
    }

    [Fact]
    public void A_success_with_a_rid_leaves_a_run_started_without_one_open()
    {
        var started = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Start, At = T0 }).Next;

        var other = MonitorMachine.OnSignal(started, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(5), Rid = Guid.NewGuid() }).Next;
        var same = MonitorMachine.OnSignal(other, new Signal { Kind = SignalKind.Success, At = T0.AddSeconds(9) }).Next;

        other.IsStarted.ShouldBeTrue();
        same.IsStarted.ShouldBeFalse();
        same.LastDurationMs.ShouldBe(9_000);
    }

    [Fact]
    public void A_run_whose_grace_ran_out_while_the_server_was_away_is_let_go()
    {
        var up = MonitorMachine.OnSignal(Push(period: TimeSpan.FromHours(1), grace: TimeSpan.FromMinutes(5)), Up(T0)).Next;
        var started = MonitorMachine.OnSignal(up, new Signal { Kind = SignalKind.Start, At = T0.AddMinutes(10) }).Next;

        var after = MonitorMachine.AfterOutage(started, awaySince: T0.AddMinutes(11), restartAt: T0.AddMinutes(20))!.Next;

        after.IsStarted.ShouldBeFalse();
        after.Status.ShouldBe(MonitorStatus.Up);
        after.DueAt.ShouldBe(T0.AddHours(1));
    }

    [Fact]
    public void A_non_zero_exit_status_names_the_status_and_the_last_output_line_in_the_notice()
    {
        var flip = MonitorMachine.OnSignal(Push(MonitorStatus.Up), new Signal { Kind = SignalKind.Fail, Ok = false, At = T0, ExitStatus = 3, Body = "copying\ndisk full\n" });

        flip.Notice!.Reason.ShouldBe("exit status 3: disk full");
    }

    [Fact]
    public void A_deadline_that_passed_while_the_server_was_away_is_moved_one_period_past_the_restart()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;
        var awaySince = T0.AddSeconds(30);
        var restart = T0.AddMinutes(10);

        var flip = MonitorMachine.AfterOutage(up, awaySince, restart)!;

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Next.DueAt.ShouldBe(restart.AddSeconds(60));
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void A_late_monitor_keeps_its_grace_after_an_outage()
    {
        var up = MonitorMachine.OnSignal(Push(grace: TimeSpan.FromSeconds(30)), Up(T0)).Next;
        var late = MonitorMachine.OnDue(up, T0.AddSeconds(61))!.Next;
        var restart = T0.AddMinutes(10);

        var next = MonitorMachine.AfterOutage(late, T0.AddSeconds(65), restart)!.Next;

        next.DueAt.ShouldBe(restart.AddSeconds(90));
    }

    [Fact]
    public void A_deadline_that_passed_before_the_server_went_away_is_left_to_the_sweep()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        MonitorMachine.AfterOutage(up, T0.AddMinutes(5), T0.AddMinutes(10)).ShouldBeNull();
    }

    [Fact]
    public void A_down_monitor_is_not_touched_by_an_outage()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0)).Next;

        MonitorMachine.AfterOutage(down, T0, T0.AddHours(1)).ShouldBeNull();
    }

    [Fact]
    public void A_scheduled_monitor_expects_its_next_signal_at_the_next_cron_time()
    {
        var monitor = Push() with { Schedule = "0 3 * * *", Tz = "Europe/Paris" };

        var flip = MonitorMachine.OnSignal(monitor, Up(new DateTimeOffset(2026, 3, 1, 2, 5, 0, TimeSpan.Zero)));

        // 03:00 in Paris on 2 March is 02:00 UTC.
        flip.Next.NextDeadlineAt.ShouldBe(new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Changing_the_period_moves_the_deadline_from_the_last_signal()
    {
        var up = MonitorMachine.OnSignal(Push(), Up(T0)).Next;

        var changed = MonitorMachine.Reschedule(up with { Period = TimeSpan.FromMinutes(10) }, T0.AddSeconds(10));

        changed.DueAt.ShouldBe(T0.AddMinutes(10));
    }

    [Fact]
    public void An_active_monitor_goes_down_only_after_its_retries_are_used()
    {
        var check = new Monitor { Id = "h1", Name = "api", Kind = MonitorKind.Http, Target = "http://127.0.0.1/", Retries = 1, Status = MonitorStatus.Up };
        var failed = new Signal { Kind = SignalKind.Check, Ok = false, At = T0, Message = "[STATUS] (500) == 200" };

        var first = MonitorMachine.OnSignal(check, failed);
        var second = MonitorMachine.OnSignal(first.Next, failed with { At = T0.AddMinutes(1) });

        first.Next.Status.ShouldBe(MonitorStatus.Up);
        first.Notice.ShouldBeNull();
        second.Next.Status.ShouldBe(MonitorStatus.Down);
        second.Notice!.Reason.ShouldBe("[STATUS] (500) == 200");
    }

    [Fact]
    public void A_down_monitor_with_remind_every_repeats_the_down_notice_at_that_interval()
    {
        var monitor = Push(MonitorStatus.Up) with { RemindEvery = TimeSpan.FromHours(1) };
        var down = MonitorMachine.OnSignal(monitor, Down(T0)).Next;

        var early = MonitorMachine.OnDue(down, T0.AddMinutes(59));
        var reminder = MonitorMachine.OnDue(down, T0.AddHours(1))!;

        down.DueAt.ShouldBe(T0.AddHours(1));
        early.ShouldBeNull();
        reminder.Notice!.Type.ShouldBe(Notice.DownType);
        reminder.Notice.Reminder.ShouldBeTrue();
        reminder.Notice.Reason.ShouldBe("still down: backup-failed");
        reminder.Incident.ShouldBe(IncidentChange.None);
        reminder.Next.Status.ShouldBe(MonitorStatus.Down);
        reminder.Next.DueAt.ShouldBe(T0.AddHours(2));
    }

    [Fact]
    public void Without_remind_every_a_down_monitor_is_told_about_once()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up), Down(T0)).Next;

        down.DueAt.ShouldBeNull();
        MonitorMachine.OnDue(down, T0.AddDays(2)).ShouldBeNull();
    }

    [Fact]
    public void Another_down_push_keeps_the_reminder_schedule()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up) with { RemindEvery = TimeSpan.FromHours(1) }, Down(T0)).Next;

        var again = MonitorMachine.OnSignal(down, Down(T0.AddMinutes(30))).Next;

        again.DueAt.ShouldBe(T0.AddHours(1));
    }

    [Fact]
    public void With_recovery_notices_off_recovery_closes_the_incident_silently()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up) with { NotifyRecovery = false }, Down(T0)).Next with { OpenIncidentId = 4 };

        var flip = MonitorMachine.OnSignal(down, Up(T0.AddMinutes(5)));

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Incident.ShouldBe(IncidentChange.Close);
        flip.Notice.ShouldBeNull();
    }

    [Fact]
    public void A_reminder_due_while_the_server_was_away_waits_a_whole_interval_after_the_restart()
    {
        var down = MonitorMachine.OnSignal(Push(MonitorStatus.Up) with { RemindEvery = TimeSpan.FromHours(1) }, Down(T0)).Next;

        var next = MonitorMachine.AfterOutage(down, T0.AddMinutes(50), T0.AddMinutes(70))!;

        next.Notice.ShouldBeNull();
        next.Next.DueAt.ShouldBe(T0.AddMinutes(130));
    }

    [Fact]
    public void An_active_monitor_still_failing_is_reminded_once_per_interval()
    {
        var check = new Monitor { Id = "h1", Name = "api", Kind = MonitorKind.Http, Target = "http://127.0.0.1/", RemindEvery = TimeSpan.FromMinutes(30), Status = MonitorStatus.Up };
        var failed = new Signal { Kind = SignalKind.Check, Ok = false, At = T0, Message = "[STATUS] (500) == 200" };
        var down = MonitorMachine.OnSignal(check, failed).Next;

        var soon = MonitorMachine.OnSignal(down, failed with { At = T0.AddMinutes(10) });
        var later = MonitorMachine.OnSignal(soon.Next, failed with { At = T0.AddMinutes(31) });

        soon.Notice.ShouldBeNull();
        later.Notice!.Reminder.ShouldBeTrue();
        later.Notice.Reason.ShouldContain("[STATUS] (500) == 200");
    }
}
