namespace Lifeline.Core.Tests.Scheduling;

public class CronScheduleTests
{
    private static CronSchedule Parse(string expression, string tz = "UTC") =>
        CronSchedule.TryParse(expression, tz, out var error) ?? throw new InvalidOperationException(error);

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("*/5 * * * *", "2026-01-05T12:01:00Z", "2026-01-05T12:05:00Z")]
    [InlineData("*/5 * * * *", "2026-01-05T12:05:00Z", "2026-01-05T12:10:00Z")]
    [InlineData("0 * * * *", "2026-01-05T12:00:30Z", "2026-01-05T13:00:00Z")]
    [InlineData("30 2 * * *", "2026-01-05T12:00:00Z", "2026-01-06T02:30:00Z")]
    [InlineData("0 9 * * mon-fri", "2026-01-09T10:00:00Z", "2026-01-12T09:00:00Z")]
    [InlineData("0 0 1 jan *", "2026-01-05T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2026-01-05T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 12 * * 7", "2026-01-05T00:00:00Z", "2026-01-11T12:00:00Z")]
    [InlineData("15,45 8-9 * * *", "2026-01-05T08:20:00Z", "2026-01-05T08:45:00Z")]
    [InlineData("@daily", "2026-01-05T08:20:00Z", "2026-01-06T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z")]
    public void Next_finds_the_first_firing_strictly_after_the_given_time(string expression, string after, string expected)
    {
        Parse(expression).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("* * * *", "5 fields")]
    [InlineData("60 * * * *", "minute")]
    [InlineData("* 24 * * *", "hour")]
    [InlineData("* * 0 * *", "day of month")]
    [InlineData("* * * 13 *", "month")]
    [InlineData("* * * * 8", "day of week")]
    [InlineData("*/0 * * * *", "step")]
    [InlineData("5-1 * * * *", "minute")]
    [InlineData("x * * * *", "minute")]
    [InlineData("", "empty")]
    public void Bad_expressions_are_refused_naming_the_problem(string expression, string mentions)
    {
        CronSchedule.TryParse(expression, "UTC", out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(mentions);
    }

    [Fact]
    public void An_unknown_time_zone_is_refused()
    {
        CronSchedule.TryParse("* * * * *", "Mars/Olympus", out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("time zone");
    }

    [Fact]
    public void A_daily_job_follows_local_time_across_the_spring_forward_change()
    {
        var schedule = Parse("0 9 * * *", "Europe/Paris");

        // Paris moves from UTC+1 to UTC+2 on 29 March 2026.
        schedule.Next(Utc(2026, 3, 28, 9, 0)).ShouldBe(Utc(2026, 3, 29, 7, 0));
        schedule.Next(Utc(2026, 3, 27, 9, 0)).ShouldBe(Utc(2026, 3, 28, 8, 0));
    }

    [Fact]
    public void A_job_in_the_skipped_hour_fires_right_after_the_jump()
    {
        var schedule = Parse("30 2 * * *", "Europe/Paris");

        // 02:30 does not exist on 29 March 2026 in Paris; 03:00 local (01:00 UTC) is the first instant after.
        schedule.Next(Utc(2026, 3, 28, 12, 0)).ShouldBe(Utc(2026, 3, 29, 1, 0));
    }

    [Fact]
    public void A_fixed_time_job_in_the_repeated_hour_fires_once_in_the_first_pass()
    {
        var schedule = Parse("30 2 * * *", "Europe/Paris");

        // 25 October 2026: 02:30 local happens at 00:30 UTC (summer time) and again at 01:30 UTC;
        // cron runs the job once, so the next firing after the first pass is the next day.
        var first = schedule.Next(Utc(2026, 10, 24, 12, 0));
        first.ShouldBe(Utc(2026, 10, 25, 0, 30));
        schedule.Next(first).ShouldBe(Utc(2026, 10, 26, 1, 30));
    }

    [Fact]
    public void A_job_every_few_minutes_fires_in_both_passes_of_the_repeated_hour()
    {
        var schedule = Parse("*/30 * * * *", "Europe/Paris");

        schedule.Next(Utc(2026, 10, 25, 0, 30)).ShouldBe(Utc(2026, 10, 25, 1, 0));
        schedule.Next(Utc(2026, 10, 25, 1, 0)).ShouldBe(Utc(2026, 10, 25, 1, 30));
        schedule.Next(Utc(2026, 10, 25, 1, 30)).ShouldBe(Utc(2026, 10, 25, 2, 0));
    }

    [Fact]
    public void A_schedule_that_never_fires_is_refused()
    {
        CronSchedule.TryParse("0 0 30 2 *", "UTC", out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("never fires");
    }

    [Fact]
    public void A_new_york_schedule_uses_new_york_offsets_across_daylight_saving()
    {
        var schedule = Parse("0 6 * * *", "America/New_York");

        schedule.Next(Utc(2026, 3, 7, 12, 0)).ShouldBe(Utc(2026, 3, 8, 10, 0));
        schedule.Next(Utc(2026, 3, 8, 12, 0)).ShouldBe(Utc(2026, 3, 9, 10, 0));
        schedule.Next(Utc(2026, 3, 6, 12, 0)).ShouldBe(Utc(2026, 3, 7, 11, 0));
    }
}
