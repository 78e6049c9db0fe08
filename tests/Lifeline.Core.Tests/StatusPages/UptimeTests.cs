using Lifeline.Testing;

namespace Lifeline.Core.Tests.StatusPages;

public sealed class UptimeTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
    private long _ids;

    private Incident Outage(DateTimeOffset start, TimeSpan? length) =>
        new(++_ids, "m1", start, length is { } l ? start + l : null, "down");

    [Fact]
    public void A_monitor_without_incidents_is_up_all_the_time_it_existed()
    {
        var now = _clock.GetUtcNow();

        Uptime.Ratio([], now.AddDays(-1), now.AddDays(-30), now).ShouldBe(1);
    }

    [Fact]
    public void An_hour_down_in_a_day_is_23_hours_of_24()
    {
        var now = _clock.GetUtcNow();
        var since = now.AddDays(-1);

        var ratio = Uptime.Ratio([Outage(now.AddHours(-5), TimeSpan.FromHours(1))], since.AddDays(-3), since, now);

        ratio!.Value.ShouldBe(23.0 / 24, 1e-9);
    }

    [Fact]
    public void Time_before_the_monitor_existed_does_not_count()
    {
        var now = _clock.GetUtcNow();
        var created = now.AddHours(-2);

        var ratio = Uptime.Ratio([Outage(now.AddHours(-1), TimeSpan.FromHours(1))], created, now.AddDays(-30), now);

        ratio!.Value.ShouldBe(0.5, 1e-9);
        Uptime.Ratio([], now.AddHours(1), now.AddDays(-1), now).ShouldBeNull();
    }

    [Fact]
    public void An_open_incident_counts_until_now_and_overlapping_ones_count_once()
    {
        var start = _clock.GetUtcNow();
        var incidents = new[] { Outage(start, null), Outage(start.AddMinutes(10), TimeSpan.FromMinutes(20)) };
        _clock.Advance(TimeSpan.FromHours(1));
        var now = _clock.GetUtcNow();

        Uptime.Downtime(incidents, now.AddHours(-2), now, now).ShouldBe(TimeSpan.FromHours(1));
        Uptime.Ratio(incidents, now.AddDays(-1), now.AddHours(-2), now)!.Value.ShouldBe(0.5, 1e-9);
    }

    [Fact]
    public void Daily_bars_split_an_outage_at_midnight_and_today_runs_until_now()
    {
        // Down from 22:00 on the 8th to 02:00 on the 9th; now is 12:00 on the 10th.
        var now = _clock.GetUtcNow();
        var outage = Outage(new DateTimeOffset(2026, 3, 8, 22, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(4));
        var todayDown = Outage(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(3));

        var days = Uptime.Daily([outage, todayDown], now.AddDays(-5), now, 90);

        days.Count.ShouldBe(90);
        days[^1].Day.ShouldBe(new DateOnly(2026, 3, 10));
        days[^1].Downtime.ShouldBe(TimeSpan.FromHours(3));
        days[^1].Ratio!.Value.ShouldBe(0.75, 1e-9);
        days[^2].Day.ShouldBe(new DateOnly(2026, 3, 9));
        days[^2].Downtime.ShouldBe(TimeSpan.FromHours(2));
        days[^3].Downtime.ShouldBe(TimeSpan.FromHours(2));
        days[^4].Ratio.ShouldBe(1);
        days[0].Day.ShouldBe(new DateOnly(2025, 12, 11));
        days[0].Ratio.ShouldBeNull();
    }

    [Fact]
    public void Daily_bars_move_to_a_new_day_when_the_clock_passes_midnight()
    {
        var created = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromHours(13));

        var days = Uptime.Daily([], created, _clock.GetUtcNow(), 2);

        days.Select(d => d.Day).ShouldBe([new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 11)]);
        days.Select(d => d.Ratio).ShouldBe([1.0, 1.0]);
    }
}
