namespace Lifeline.Core.Tests.Scheduling;

public class CheckPhaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private static Monitor Http(string id, TimeSpan? interval = null) =>
        new() { Id = id, Name = id, Kind = MonitorKind.Http, Target = "http://127.0.0.1/", Interval = interval ?? Minute };

    [Fact]
    public void A_monitor_keeps_the_same_offset_within_its_interval()
    {
        var first = CheckPhase.Offset("abc123", Minute);

        CheckPhase.Offset("abc123", Minute).ShouldBe(first);
        first.ShouldBeGreaterThanOrEqualTo(TimeSpan.Zero);
        first.ShouldBeLessThan(Minute);
    }

    [Fact]
    public void Many_monitors_with_one_interval_start_spread_over_the_whole_interval()
    {
        var starts = Enumerable.Range(0, 10_000).Select(i => CheckPhase.NextSlot(Http(Secrets.NewId()), T0)).ToList();

        // Ten-second buckets of one minute: each holds about a sixth of the starts, none is crowded.
        var perBucket = starts.GroupBy(s => (long)(s - T0).TotalSeconds / 10 % 6).Select(g => g.Count()).ToList();
        perBucket.Count.ShouldBe(6);
        perBucket.ShouldAllBe(count => count > 1_400 && count < 1_950);
        starts.Max(s => starts.Count(t => t == s)).ShouldBeLessThan(10);
    }

    [Fact]
    public void The_next_slot_is_at_least_half_an_interval_away_and_at_most_one_and_a_half()
    {
        var monitor = Http("m1");
        var offset = CheckPhase.Offset("m1", Minute);

        for (var s = 0; s < 120; s += 7)
        {
            var after = T0.AddSeconds(s);
            var next = CheckPhase.NextSlot(monitor, after);

            (next - after).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30));
            (next - after).ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(90));
            (next.ToUnixTimeMilliseconds() % 60_000).ShouldBe((long)offset.TotalMilliseconds);
        }
    }

    [Fact]
    public void Slots_do_not_drift_with_the_time_a_check_takes()
    {
        var monitor = Http("m1");
        var slot = CheckPhase.NextSlot(monitor, T0);

        var afterQuickCheck = CheckPhase.NextSlot(monitor, slot.AddMilliseconds(20));
        var afterSlowCheck = CheckPhase.NextSlot(monitor, slot.AddSeconds(8));

        afterQuickCheck.ShouldBe(slot + Minute);
        afterSlowCheck.ShouldBe(slot + Minute);
    }
}
