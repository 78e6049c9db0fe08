using Lifeline.Core.Probes;

namespace Lifeline.Core.Tests.Probes;

public sealed class QuorumTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static Monitor Web(int? quorum = null) => new()
    {
        Id = "web",
        Name = "web",
        Kind = MonitorKind.Http,
        Target = "http://example.test/",
        Interval = TimeSpan.FromSeconds(60),
        Locations = ["local", "paris", "tokyo"],
        Quorum = quorum,
    };

    private static long _seq;

    private static MonitorEvent Vote(string location, bool ok, int secondsAgo = 5, string msg = "seen") =>
        new(++_seq, "web", Now.AddSeconds(-secondsAgo), SignalKind.Check, ok, msg, null, null, null, 40, null, null, null) { Location = location };

    private static Verdict Decide(Monitor monitor, params MonitorEvent[] newestFirst) => Quorum.Decide(monitor, newestFirst, id => id.ToUpperInvariant(), Now);

    [Fact]
    public void Every_location_up_is_up()
    {
        var verdict = Decide(Web(), Vote("local", true), Vote("paris", true), Vote("tokyo", true));

        verdict.Status.ShouldBe(MonitorStatus.Up);
        verdict.Message.ShouldStartWith("up from 3 of 3 locations");
    }

    [Fact]
    public void One_failing_location_of_three_is_degraded_and_names_it()
    {
        var verdict = Decide(Web(), Vote("local", true), Vote("paris", false, msg: "connection refused"), Vote("tokyo", true));

        verdict.Status.ShouldBe(MonitorStatus.Degraded);
        verdict.Ok.ShouldBeTrue();
        verdict.Message.ShouldContain("PARIS: down, connection refused");
    }

    [Fact]
    public void Two_failing_locations_of_three_are_down_and_both_are_named()
    {
        var verdict = Decide(Web(), Vote("local", true), Vote("paris", false, msg: "refused"), Vote("tokyo", false, msg: "timeout"));

        verdict.Status.ShouldBe(MonitorStatus.Down);
        verdict.Message.ShouldContain("down from 2 of 3 locations (quorum 2)");
        verdict.Message.ShouldContain("PARIS: down, refused");
        verdict.Message.ShouldContain("TOKYO: down, timeout");
    }

    [Fact]
    public void A_silent_location_is_unknown_never_down()
    {
        // Tokyo's last word was a failure, but three minutes ago: it no longer counts.
        var verdict = Decide(Web(), Vote("local", true), Vote("paris", false), Vote("tokyo", false, secondsAgo: 180));

        verdict.Status.ShouldBe(MonitorStatus.Degraded);
        verdict.Seen.Single(s => s.Location == "tokyo").Vote.ShouldBe(LocationVote.Unknown);
    }

    [Fact]
    public void Only_the_newest_result_of_each_location_counts()
    {
        var verdict = Decide(Web(), Vote("paris", true, 1), Vote("paris", false, 30), Vote("tokyo", false, 2), Vote("local", true, 3));

        verdict.Status.ShouldBe(MonitorStatus.Degraded);
    }

    [Fact]
    public void A_quorum_of_one_makes_any_failing_location_down()
    {
        Decide(Web(quorum: 1), Vote("local", true), Vote("paris", false), Vote("tokyo", true)).Status.ShouldBe(MonitorStatus.Down);
    }

    [Fact]
    public void No_result_at_all_is_unknown()
    {
        Decide(Web()).Unknown.ShouldBeTrue();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    public void The_default_quorum_is_a_majority_and_at_least_two_with_two_or_more_locations(int locations, int quorum)
    {
        var monitor = Web() with { Locations = [.. Enumerable.Range(0, locations).Select(i => $"l{i}")] };

        monitor.EffectiveQuorum.ShouldBe(quorum);
    }

    [Fact]
    public void Rendezvous_spreads_checks_over_probes_and_moves_only_the_checks_of_a_probe_that_left()
    {
        var checks = Enumerable.Range(0, 3000).Select(i => $"check-{i}").ToList();
        var before = checks.ToDictionary(c => c, c => Rendezvous.Owner(c, ["a", "b", "c"]));
        var after = checks.ToDictionary(c => c, c => Rendezvous.Owner(c, ["a", "b"]));

        foreach (var probe in new[] { "a", "b", "c" })
        {
            before.Values.Count(v => v == probe).ShouldBeInRange(800, 1200);
        }
        checks.Where(c => before[c] != "c").ShouldAllBe(c => after[c] == before[c]);
        Rendezvous.Owner("x", []).ShouldBeNull();
    }
}
