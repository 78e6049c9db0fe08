namespace Lifeline.Core.Tests.Alerts;

/// <summary>Dependency holds and acknowledgements as pure functions, on fixed times.</summary>
public class DependenciesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Monitor Push(string id, MonitorStatus status = MonitorStatus.Up, params string[] dependsOn) =>
        new() { Id = id, Name = id, Status = status, DependsOn = dependsOn, LastSignalAt = T0, NextDeadlineAt = T0.AddMinutes(1), DueAt = T0.AddMinutes(1) };

    private static Signal Failure(DateTimeOffset at) => new() { Kind = SignalKind.Push, Ok = false, At = at, Message = "connection refused" };

    [Fact]
    public void A_down_notice_is_held_while_a_parent_is_down_and_the_incident_names_the_parent()
    {
        var web = Push("web", dependsOn: "agent");
        var flip = MonitorMachine.OnSignal(web, Failure(T0));

        var settled = Dependencies.Settle(web, flip, [Push("agent", MonitorStatus.Down)]);

        settled.Held.ShouldBeTrue();
        settled.Next.SuppressedBy.ShouldBe("agent");
        settled.IncidentReason.ShouldBe("connection refused (suppressed by agent)");
    }

    [Fact]
    public void A_down_notice_waits_for_parents_that_look_healthy_and_goes_out_at_once_without_parents()
    {
        var web = Push("web", dependsOn: "agent");
        var flip = MonitorMachine.OnSignal(web, Failure(T0));

        var settled = Dependencies.Settle(web, flip, [Push("agent")]);
        var alone = Dependencies.Settle(Push("web"), MonitorMachine.OnSignal(Push("web"), Failure(T0)), []);

        settled.Held.ShouldBeTrue();
        settled.Next.SuppressedBy.ShouldBe(Dependencies.AwaitingParents);
        Dependencies.HeldBy(settled.Next).ShouldBeNull();
        settled.IncidentReason.ShouldBe("connection refused");
        alone.Held.ShouldBeFalse();
        alone.Next.SuppressedBy.ShouldBeNull();
    }

    [Fact]
    public void A_waiting_monitor_is_held_for_the_parent_found_down_or_released_with_its_first_reason()
    {
        var web = Push("web", MonitorStatus.Down, "agent") with { SuppressedBy = Dependencies.AwaitingParents, LastMessage = "connection refused" };

        var held = Dependencies.Suppress(web, "agent")!;
        var released = Dependencies.Release(web, T0.AddSeconds(30), "connection refused")!;

        held.Next.SuppressedBy.ShouldBe("agent");
        held.Notice.ShouldBeNull();
        released.Next.SuppressedBy.ShouldBeNull();
        released.Notice!.Reason.ShouldBe("connection refused");
        released.Notice.PreviousStatus.ShouldBe("up");
        Dependencies.Suppress(web with { SuppressedBy = "agent" }, "db").ShouldBeNull();
    }

    [Fact]
    public void A_released_notice_is_not_made_to_wait_again()
    {
        var web = Push("web", MonitorStatus.Down, "agent") with { SuppressedBy = Dependencies.AwaitingParents };
        var release = Dependencies.Release(web, T0.AddSeconds(30), "connection refused")!;

        var settled = Dependencies.Settle(web, release, [Push("agent")]);

        settled.Held.ShouldBeFalse();
        settled.Notice!.Reason.ShouldBe("connection refused");
    }

    [Fact]
    public void An_active_parent_failing_within_its_retries_already_holds_its_dependants()
    {
        var parent = new Monitor { Id = "agent", Name = "agent", Kind = MonitorKind.Tcp, Status = MonitorStatus.Up, FailureStreak = 1, Retries = 2 };

        Dependencies.IsTroubled(parent).ShouldBeTrue();
        Dependencies.IsTroubled(parent with { FailureStreak = 0 }).ShouldBeFalse();
        Dependencies.IsTroubled(parent with { Status = MonitorStatus.Paused }).ShouldBeFalse();
    }

    [Fact]
    public void The_recovery_of_a_held_monitor_is_held_too_since_nobody_heard_it_was_down()
    {
        var held = Push("web", MonitorStatus.Down, "agent") with { SuppressedBy = "agent", OpenIncidentId = 7 };
        var flip = MonitorMachine.OnSignal(held, new Signal { Kind = SignalKind.Push, At = T0 });

        var settled = Dependencies.Settle(held, flip, []);

        settled.Held.ShouldBeTrue();
        settled.Next.SuppressedBy.ShouldBeNull();
    }

    [Fact]
    public void Release_sends_the_held_down_notice_and_clears_the_hold()
    {
        var held = Push("web", MonitorStatus.Down, "agent") with { SuppressedBy = "agent", OpenIncidentId = 7, LastMessage = "connection refused" };

        var flip = Dependencies.Release(held, T0)!;

        flip.Notice!.IsDown.ShouldBeTrue();
        flip.Notice.Reason.ShouldBe("still down after agent recovered: connection refused");
        flip.Next.SuppressedBy.ShouldBeNull();
        Dependencies.Release(flip.Next, T0).ShouldBeNull();
    }

    [Fact]
    public void Dependants_are_counted_through_the_whole_tree_once_each_and_paused_ones_left_out()
    {
        DependencyNode[] graph =
        [
            new("agent", "agent", ["uplink"], MonitorStatus.Down),
            new("web1", "web1", ["agent"], MonitorStatus.Up),
            new("web2", "web2", ["agent", "uplink"], MonitorStatus.Down),
            new("web3", "web3", ["agent"], MonitorStatus.Paused),
        ];

        Dependencies.CountBelow("uplink", graph).ShouldBe((3, 2));
        Dependencies.CountBelow("agent", graph).ShouldBe((2, 1));
        Dependencies.CountBelow("web1", graph).ShouldBe((0, 0));
    }

    [Fact]
    public void A_cycle_is_named_from_the_monitor_back_to_itself()
    {
        DependencyNode[] graph =
        [
            new("agent", "agent", ["uplink"], MonitorStatus.Up),
            new("web", "web", ["agent"], MonitorStatus.Up),
        ];

        Dependencies.FindCycle("uplink", "uplink", ["web"], graph).ShouldBe(["uplink", "web", "agent", "uplink"]);
        Dependencies.FindCycle("uplink", "uplink", ["uplink"], graph).ShouldBe(["uplink", "uplink"]);
        Dependencies.FindCycle("web", "web", ["agent", "uplink"], graph).ShouldBeNull();
    }

    [Fact]
    public void An_acknowledged_active_monitor_sends_no_more_reminders()
    {
        var down = new Monitor
        {
            Id = "h1", Name = "api", Kind = MonitorKind.Http, Status = MonitorStatus.Down, OpenIncidentId = 3,
            RemindEvery = TimeSpan.FromMinutes(10), LastAlertAt = T0,
        };
        var later = new Signal { Kind = SignalKind.Check, Ok = false, At = T0.AddMinutes(30), Message = "HTTP 500" };

        var acked = Acknowledgement.Ack(down, "alice", T0)!.Next;

        MonitorMachine.OnSignal(down, later).Notice!.Reminder.ShouldBeTrue();
        MonitorMachine.OnSignal(acked, later).Notice.ShouldBeNull();
        Acknowledgement.Ack(down with { OpenIncidentId = null, Status = MonitorStatus.Up }, "alice", T0).ShouldBeNull();
    }

    [Fact]
    public void An_acknowledgement_ends_with_its_incident()
    {
        var acked = Push("web", MonitorStatus.Down) with { OpenIncidentId = 3, AcknowledgedBy = "alice", AcknowledgedAt = T0 };
        var recovered = MonitorMachine.OnSignal(acked, new Signal { Kind = SignalKind.Push, At = T0.AddMinutes(5) });

        var settled = Acknowledgement.EndWithIncident(recovered);

        recovered.Notice!.IsUp.ShouldBeTrue();
        settled.Next.AcknowledgedBy.ShouldBeNull();
        settled.Next.AcknowledgedAt.ShouldBeNull();
    }
}
