namespace Lifeline.Core.Tests.Monitors;

/// <summary>Check results through the state machine: retries, retry interval, success threshold, unknown results.</summary>
public class ActiveCheckMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Monitor Http(int retries = 0, int? retryIntervalSeconds = null, int successThreshold = 1) => new()
    {
        Id = "h1",
        Name = "api",
        Kind = MonitorKind.Http,
        Target = "http://127.0.0.1/",
        Interval = TimeSpan.FromSeconds(60),
        Retries = retries,
        RetryInterval = retryIntervalSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        SuccessThreshold = successThreshold,
        Status = MonitorStatus.Up,
    };

    private static Signal Passed(DateTimeOffset at) => new() { Kind = SignalKind.Check, At = at, Message = "HTTP 200 in 3 ms" };

    private static Signal Failed(DateTimeOffset at) => new() { Kind = SignalKind.Check, Ok = false, At = at, Message = "[STATUS] (500) == 200" };

    [Fact]
    public void A_passed_check_schedules_the_next_one_on_the_monitors_own_slot()
    {
        var flip = MonitorMachine.OnSignal(Http(), Passed(T0));

        flip.Next.DueAt.ShouldBe(CheckPhase.NextSlot(Http(), T0));
        flip.Next.NextDeadlineAt.ShouldBe(flip.Next.DueAt);
    }

    [Fact]
    public void After_a_failed_check_the_next_one_is_due_after_the_retry_interval()
    {
        var flip = MonitorMachine.OnSignal(Http(retries: 2, retryIntervalSeconds: 10), Failed(T0));

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Next.DueAt.ShouldBe(T0.AddSeconds(10));
    }

    [Fact]
    public void Without_a_retry_interval_a_failed_check_is_followed_one_interval_later()
    {
        var flip = MonitorMachine.OnSignal(Http(retries: 2), Failed(T0));

        flip.Next.DueAt.ShouldBe(T0.AddSeconds(60));
    }

    [Fact]
    public void A_down_monitor_needs_its_success_threshold_of_passed_checks_before_it_is_up()
    {
        var down = MonitorMachine.OnSignal(Http(successThreshold: 2, retryIntervalSeconds: 10), Failed(T0)).Next;

        var once = MonitorMachine.OnSignal(down, Passed(T0.AddSeconds(10)));
        var twice = MonitorMachine.OnSignal(once.Next, Passed(T0.AddSeconds(20)));

        down.Status.ShouldBe(MonitorStatus.Down);
        once.Next.Status.ShouldBe(MonitorStatus.Down);
        once.Notice.ShouldBeNull();
        once.Next.DueAt.ShouldBe(T0.AddSeconds(20));
        twice.Next.Status.ShouldBe(MonitorStatus.Up);
        twice.Notice!.Type.ShouldBe(Notice.UpType);
        twice.Incident.ShouldBe(IncidentChange.Close);
    }

    [Fact]
    public void A_failure_while_recovering_starts_the_success_count_again()
    {
        var down = MonitorMachine.OnSignal(Http(successThreshold: 2), Failed(T0)).Next;
        var once = MonitorMachine.OnSignal(down, Passed(T0.AddSeconds(60))).Next;

        var failedAgain = MonitorMachine.OnSignal(once, Failed(T0.AddSeconds(120))).Next;
        var passed = MonitorMachine.OnSignal(failedAgain, Passed(T0.AddSeconds(180)));

        failedAgain.SuccessStreak.ShouldBe(0);
        passed.Next.Status.ShouldBe(MonitorStatus.Down);
        passed.Notice.ShouldBeNull();
    }

    [Fact]
    public void An_unknown_result_changes_no_state_and_plans_no_notice()
    {
        var monitor = Http(retryIntervalSeconds: 15) with { FailureStreak = 0 };

        var flip = MonitorMachine.OnSignal(monitor, Failed(T0) with { Unknown = true });

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Next.FailureStreak.ShouldBe(0);
        flip.Notice.ShouldBeNull();
        flip.Incident.ShouldBe(IncidentChange.None);
        flip.Next.DueAt.ShouldBe(T0.AddSeconds(15));
    }

    [Fact]
    public void A_degraded_verdict_makes_the_monitor_degraded_without_a_notice_and_a_clean_one_makes_it_up_again()
    {
        var degraded = MonitorMachine.OnSignal(Http(), Passed(T0) with { Degraded = true });
        var clean = MonitorMachine.OnSignal(degraded.Next, Passed(T0.AddSeconds(60)));

        degraded.Next.Status.ShouldBe(MonitorStatus.Degraded);
        degraded.Notice.ShouldBeNull();
        clean.Next.Status.ShouldBe(MonitorStatus.Up);
        clean.Notice.ShouldBeNull();
    }

    [Fact]
    public void One_locations_result_is_a_vote_that_changes_no_state()
    {
        var flip = MonitorMachine.OnSignal(Http(), Failed(T0) with { Location = "paris" });

        flip.Next.Status.ShouldBe(MonitorStatus.Up);
        flip.Next.FailureStreak.ShouldBe(0);
        flip.Next.DueAt.ShouldBe(Http().DueAt);
        flip.Notice.ShouldBeNull();
    }
}
