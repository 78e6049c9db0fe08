using Lifeline.Cli.Probe;
using Lifeline.Core.Probes;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Probe;

/// <summary>The probe's schedule, driven by a manual clock.</summary>
public sealed class CheckScheduleTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero).AddTicks(5_000));
    private readonly CheckSchedule _schedule = new();

    private static ProbeCheck Check(string id, int interval = 60, DateTimeOffset? recheckAt = null) => new()
    {
        Id = id,
        Name = id,
        Kind = "http",
        Target = "http://127.0.0.1/",
        Interval = interval,
        RecheckAt = recheckAt,
    };

    private List<string> Step(TimeSpan by)
    {
        _clock.Advance(by);
        var due = _schedule.TakeDue(_clock.GetUtcNow()).Select(c => c.Id).ToList();
        foreach (var id in due)
        {
            _schedule.Finished(id);
        }
        return due;
    }

    [Fact]
    public void Ten_thousand_checks_with_one_interval_spread_over_it_and_each_runs_once_per_interval()
    {
        _schedule.Update([.. Enumerable.Range(0, 10_000).Select(i => Check("monitor-" + i))], _clock.GetUtcNow());

        // Slots fall on whole milliseconds and the clock starts half a millisecond past one, so
        // sixty one-second steps cover exactly one interval, every slot once.
        var perSecond = Enumerable.Range(0, 60).Select(_ => Step(TimeSpan.FromSeconds(1))).ToList();

        perSecond.Sum(s => s.Count).ShouldBe(10_000);
        perSecond.SelectMany(s => s).Distinct().Count().ShouldBe(10_000);
        // An even spread is 167 a second; allow for the hash's unevenness, never a herd.
        perSecond.Max(s => s.Count).ShouldBeLessThan(250);
        Enumerable.Range(0, 60).Select(_ => Step(TimeSpan.FromSeconds(1))).Sum(s => s.Count).ShouldBe(10_000);
    }

    [Fact]
    public void A_checks_phase_is_the_same_on_every_start()
    {
        var interval = TimeSpan.FromSeconds(60);

        CheckSchedule.Phase("monitor-7", interval).ShouldBe(CheckSchedule.Phase("monitor-7", interval));
        CheckSchedule.NextSlot("monitor-7", interval, _clock.GetUtcNow()).ShouldBe(CheckSchedule.NextSlot("monitor-7", interval, _clock.GetUtcNow()));
        CheckSchedule.Phase("monitor-7", interval).ShouldNotBe(CheckSchedule.Phase("monitor-8", interval));
    }

    [Fact]
    public void New_assignments_keep_the_due_time_of_unchanged_checks_and_move_changed_intervals()
    {
        _schedule.Update([Check("a"), Check("b")], _clock.GetUtcNow());
        var dueA = _schedule.DueOf("a");
        _clock.Advance(TimeSpan.FromSeconds(5));

        _schedule.Update([Check("a"), Check("b", interval: 600)], _clock.GetUtcNow());

        _schedule.DueOf("a").ShouldBe(dueA);
        _schedule.DueOf("b").ShouldBe(CheckSchedule.NextSlot("b", TimeSpan.FromSeconds(600), _clock.GetUtcNow()));
        _schedule.Update([Check("b", interval: 600)], _clock.GetUtcNow());
        _schedule.DueOf("a").ShouldBeNull();
    }

    [Fact]
    public void A_recheck_later_than_the_last_run_runs_at_once_and_only_once()
    {
        _schedule.Update([Check("a", interval: 3600)], _clock.GetUtcNow());
        var slot = _schedule.DueOf("a")!.Value;
        _clock.Set(slot);
        _schedule.TakeDue(_clock.GetUtcNow()).ShouldHaveSingleItem();
        _schedule.Finished("a");
        Step(TimeSpan.FromMinutes(10)).ShouldBeEmpty();

        var recheck = _clock.GetUtcNow().AddSeconds(-1);
        _schedule.Update([Check("a", 3600, recheck)], _clock.GetUtcNow());

        Step(TimeSpan.Zero).ShouldBe(["a"]);
        _schedule.Update([Check("a", 3600, recheck)], _clock.GetUtcNow());
        Step(TimeSpan.FromSeconds(1)).ShouldBeEmpty();
        _schedule.DueOf("a").ShouldBe(slot.AddHours(1));
    }

    [Fact]
    public void A_recheck_older_than_the_last_run_waits_for_the_next_slot()
    {
        _schedule.Update([Check("a", interval: 3600)], _clock.GetUtcNow());
        var slot = _schedule.DueOf("a")!.Value;
        _clock.Set(slot);
        _schedule.TakeDue(_clock.GetUtcNow()).ShouldHaveSingleItem();
        _schedule.Finished("a");

        _schedule.Update([Check("a", 3600, slot.AddSeconds(-30))], _clock.GetUtcNow().AddSeconds(5));

        Step(TimeSpan.FromSeconds(5)).ShouldBeEmpty();
    }

    [Fact]
    public void A_check_still_running_at_its_next_slot_skips_it()
    {
        _schedule.Update([Check("a", interval: 10)], _clock.GetUtcNow());
        _clock.Set(_schedule.DueOf("a")!.Value);
        _schedule.TakeDue(_clock.GetUtcNow()).ShouldHaveSingleItem();

        _clock.Advance(TimeSpan.FromSeconds(10));
        _schedule.TakeDue(_clock.GetUtcNow()).ShouldBeEmpty();
        _schedule.Finished("a");
        _clock.Advance(TimeSpan.FromSeconds(10));
        _schedule.TakeDue(_clock.GetUtcNow()).ShouldHaveSingleItem();
    }
}
