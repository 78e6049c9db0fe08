namespace Lifeline.Core.Tests.Maintenance;

/// <summary>Recurring windows follow their cron in their own time zone, across daylight-saving changes.</summary>
public sealed class MaintenanceWindowTests
{
    private static MaintenanceWindow Nightly(string schedule, string tz, int durationSeconds = 3600) => new()
    {
        Id = "w1",
        Name = "nightly",
        Kind = MaintenanceKind.Recurring,
        Monitors = ["m1"],
        Schedule = schedule,
        Tz = tz,
        Duration = TimeSpan.FromSeconds(durationSeconds),
    };

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The starts of the occurrences from <paramref name="from"/> on, as the sweep would store them day after day.</summary>
    private static List<DateTimeOffset> Starts(MaintenanceWindow window, DateTimeOffset from, int count)
    {
        var starts = new List<DateTimeOffset>();
        var now = from;
        while (starts.Count < count)
        {
            var next = window.OccurrencesAround(now)[^1];
            starts.Add(next.StartsAt);
            now = next.StartsAt;
        }
        return starts;
    }

    [Theory]
    // Berlin springs forward on 2026-03-29 at 02:00 (+01 to +02): 02:30 does not exist that night.
    [InlineData("Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z")]
    // New York springs forward on 2026-03-08 at 02:00 (-05 to -04).
    [InlineData("America/New_York", "2026-03-06T12:00:00Z", "2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z")]
    // Sydney springs forward on 2026-10-04 at 02:00 (+10 to +11).
    [InlineData("Australia/Sydney", "2026-10-02T00:00:00Z", "2026-10-02T16:30:00Z", "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z")]
    public void A_window_whose_time_falls_in_the_spring_gap_starts_right_after_the_jump(string tz, string from, string before, string gapDay, string after)
    {
        var starts = Starts(Nightly("30 2 * * *", tz), Utc(from), 3);

        starts.ShouldBe([Utc(before), Utc(gapDay), Utc(after)]);
    }

    [Theory]
    // Berlin falls back on 2026-10-25 at 03:00 (+02 to +01): 02:30 happens twice.
    [InlineData("Europe/Berlin", "30 2 * * *", "2026-10-23T12:00:00Z", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")]
    // New York falls back on 2026-11-01 at 02:00 (-04 to -05): 01:30 happens twice.
    [InlineData("America/New_York", "30 1 * * *", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z")]
    // Sydney falls back on 2026-04-05 at 03:00 (+11 to +10): 02:30 happens twice.
    [InlineData("Australia/Sydney", "30 2 * * *", "2026-04-03T00:00:00Z", "2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z")]
    public void A_window_whose_time_repeats_in_the_autumn_starts_once_that_night(string tz, string schedule, string from, string before, string repeatDay, string after)
    {
        var starts = Starts(Nightly(schedule, tz), Utc(from), 3);

        starts.ShouldBe([Utc(before), Utc(repeatDay), Utc(after)]);
    }

    [Fact]
    public void A_window_lasts_its_duration_in_real_time_across_the_jump()
    {
        // 01:00 to 03:00 on the clock on a normal night; on the spring night the clock skips an hour,
        // and the window still lasts two real hours (to 04:00 on the clock).
        var window = Nightly("0 1 * * *", "Europe/Berlin", durationSeconds: 7200);

        var occurrence = window.OccurrencesAround(Utc("2026-03-29T01:30:00Z")).First(o => o.InForceAt(Utc("2026-03-29T01:30:00Z")));

        occurrence.StartsAt.ShouldBe(Utc("2026-03-29T00:00:00Z"));
        occurrence.EndsAt.ShouldBe(Utc("2026-03-29T02:00:00Z"));
    }

    [Fact]
    public void The_occurrences_around_a_time_are_the_ones_in_progress_and_the_next()
    {
        var window = Nightly("0 * * * *", "UTC", durationSeconds: 5400);

        var around = window.OccurrencesAround(Utc("2026-01-05T12:10:00Z"));

        around.Select(o => o.StartsAt).ShouldBe([Utc("2026-01-05T11:00:00Z"), Utc("2026-01-05T12:00:00Z"), Utc("2026-01-05T13:00:00Z")]);
        around.Count(o => o.InForceAt(Utc("2026-01-05T12:10:00Z"))).ShouldBe(2);
    }

    [Fact]
    public void A_window_covers_its_monitors_and_the_monitors_with_one_of_its_tags()
    {
        var window = Nightly("0 1 * * *", "UTC") with { Monitors = ["m1"], Tags = ["db"] };

        window.Covers(new Monitor { Id = "m1", Name = "a" }).ShouldBeTrue();
        window.Covers(new Monitor { Id = "m2", Name = "b", Tags = ["web", "db"] }).ShouldBeTrue();
        window.Covers(new Monitor { Id = "m3", Name = "c", Tags = ["web"] }).ShouldBeFalse();
    }
}
