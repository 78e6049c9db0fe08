using Lifeline.Testing;

namespace Lifeline.Core.Tests.Monitors;

public sealed class UptimeTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    private Incident Down(TimeSpan agoStart, TimeSpan? agoEnd) =>
        new(1, "m", _clock.GetUtcNow() - agoStart, agoEnd is { } e ? _clock.GetUtcNow() - e : null, "down");

    [Fact]
    public void A_monitor_without_incidents_was_up_the_whole_window()
    {
        var now = _clock.GetUtcNow();

        Uptime.Of([], now.AddHours(-24), now).ShouldBe(1.0);
    }

    [Fact]
    public void An_hour_down_in_a_day_is_an_uptime_of_23_in_24()
    {
        var now = _clock.GetUtcNow();

        Uptime.Of([Down(TimeSpan.FromHours(5), TimeSpan.FromHours(4))], now.AddHours(-24), now)!.Value.ShouldBe(23.0 / 24, 1e-9);
    }

    [Fact]
    public void An_open_incident_counts_up_to_the_end_of_the_window_and_overlaps_count_once()
    {
        var now = _clock.GetUtcNow();
        Incident[] incidents = [Down(TimeSpan.FromHours(2), null), Down(TimeSpan.FromHours(3), TimeSpan.FromHours(1))];

        Uptime.Of(incidents, now.AddHours(-24), now)!.Value.ShouldBe(21.0 / 24, 1e-9);
    }

    [Fact]
    public void Only_the_part_of_an_incident_inside_the_window_counts()
    {
        var now = _clock.GetUtcNow();

        Uptime.Of([Down(TimeSpan.FromHours(30), TimeSpan.FromHours(18))], now.AddHours(-24), now)!.Value.ShouldBe(18.0 / 24, 1e-9);
    }

    [Fact]
    public void The_window_starts_when_the_monitor_was_created()
    {
        var now = _clock.GetUtcNow();

        Uptime.Of([Down(TimeSpan.FromHours(1), null)], now.AddHours(-24), now, createdAt: now.AddHours(-2))!.Value.ShouldBe(0.5, 1e-9);
        Uptime.Of([], now.AddHours(-24), now.AddHours(-12), createdAt: now.AddHours(-2)).ShouldBeNull();
    }

    [Fact]
    public void Daily_uptime_gives_each_utc_day_its_own_share_oldest_first_up_to_now()
    {
        _clock.Advance(TimeSpan.FromHours(6)); // 2026-01-05 18:00
        var now = _clock.GetUtcNow();
        // Down from 2026-01-04 18:00 to 2026-01-05 06:00: six hours on each day.
        var incident = new Incident(1, "m", new DateTimeOffset(2026, 1, 4, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 5, 6, 0, 0, TimeSpan.Zero), "down");

        var days = Uptime.Daily([incident], now, 3, createdAt: new DateTimeOffset(2026, 1, 4, 0, 0, 0, TimeSpan.Zero));

        days.Select(d => d.Day).ShouldBe([new DateOnly(2026, 1, 3), new DateOnly(2026, 1, 4), new DateOnly(2026, 1, 5)]);
        days[0].Share.ShouldBeNull();
        days[1].Share!.Value.ShouldBe(0.75, 1e-9);
        days[1].Down.ShouldBe(TimeSpan.FromHours(6));
        // The 5th so far is 18 hours, 6 of them down.
        days[2].Share!.Value.ShouldBe(12.0 / 18, 1e-9);
    }
}
