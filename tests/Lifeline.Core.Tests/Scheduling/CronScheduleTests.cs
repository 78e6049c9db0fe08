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

    // Debian cron on daylight-saving days. A job whose minute or hour field starts with '*' is a
    // "wildcard" job: it skips wall-clock times that do not exist and runs in both passes of a
    // repeated hour. Any other job is "fixed-time": it runs once, right after a gap, and only in
    // the first pass of a repeated hour. The changes used below:
    //   Europe/Paris        29 Mar 2026 02:00 -> 03:00 (at 01:00Z), 25 Oct 2026 03:00 -> 02:00 (at 01:00Z)
    //   America/New_York     8 Mar 2026 02:00 -> 03:00 (at 07:00Z),  1 Nov 2026 02:00 -> 01:00 (at 06:00Z)
    //   Australia/Lord_Howe  4 Oct 2026 02:00 -> 02:30 (at 15:30Z on 3 Oct), 5 Apr 2026 02:00 -> 01:30 (at 15:00Z on 4 Apr)
    // Each row lists the firings that follow the start, in UTC.

    [Theory]
    [InlineData("Europe/Paris", "*/15 2 * * *", "2026-03-29T00:50Z", "2026-03-30T00:00Z 2026-03-30T00:15Z")]
    [InlineData("America/New_York", "*/15 2 * * *", "2026-03-08T06:50Z", "2026-03-09T06:00Z 2026-03-09T06:15Z")]
    [InlineData("Australia/Lord_Howe", "*/15 2 * * *", "2026-10-03T15:20Z", "2026-10-03T15:30Z 2026-10-03T15:45Z 2026-10-04T15:00Z")]
    [InlineData("Australia/Lord_Howe", "*/20 2 * * *", "2026-10-03T15:20Z", "2026-10-03T15:40Z 2026-10-04T15:00Z")]
    public void A_wildcard_job_skips_the_times_the_spring_gap_removes(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    [Theory]
    [InlineData("Europe/Paris", "30 * * * *", "2026-03-29T00:30Z", "2026-03-29T01:30Z 2026-03-29T02:30Z")]
    [InlineData("America/New_York", "30 * * * *", "2026-03-08T06:30Z", "2026-03-08T07:30Z 2026-03-08T08:30Z")]
    [InlineData("Australia/Lord_Howe", "15 * * * *", "2026-10-03T14:45Z", "2026-10-03T16:15Z 2026-10-03T17:15Z")]
    [InlineData("Australia/Lord_Howe", "30 * * * *", "2026-10-03T15:00Z", "2026-10-03T15:30Z 2026-10-03T16:30Z")]
    public void An_hourly_job_gets_no_extra_run_right_after_the_spring_gap(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    [Theory]
    [InlineData("Europe/Paris", "*/10 2 * * *", "2026-10-25T00:45Z", "2026-10-25T00:50Z 2026-10-25T01:00Z 2026-10-25T01:10Z 2026-10-25T01:20Z 2026-10-25T01:30Z 2026-10-25T01:40Z 2026-10-25T01:50Z 2026-10-26T01:00Z")]
    [InlineData("America/New_York", "*/10 1 * * *", "2026-11-01T05:45Z", "2026-11-01T05:50Z 2026-11-01T06:00Z 2026-11-01T06:10Z 2026-11-01T06:20Z 2026-11-01T06:30Z 2026-11-01T06:40Z 2026-11-01T06:50Z 2026-11-02T06:00Z")]
    [InlineData("America/New_York", "*/10 1 * * *", "2026-11-01T05:59Z", "2026-11-01T06:00Z 2026-11-01T06:10Z")]
    [InlineData("Australia/Lord_Howe", "*/10 1 * * *", "2026-04-04T14:59Z", "2026-04-04T15:00Z 2026-04-04T15:10Z")]
    [InlineData("Australia/Lord_Howe", "*/10 1 * * *", "2026-04-04T14:45Z", "2026-04-04T14:50Z 2026-04-04T15:00Z 2026-04-04T15:10Z 2026-04-04T15:20Z 2026-04-05T14:30Z")]
    public void A_wildcard_job_runs_in_both_passes_of_the_repeated_hour(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    [Theory]
    [InlineData("Europe/Paris", "0 0-23 * * *", "2026-10-25T00:59Z", "2026-10-25T02:00Z 2026-10-25T03:00Z")]
    [InlineData("Europe/Paris", "0 0-23 * * *", "2026-10-24T23:30Z", "2026-10-25T00:00Z 2026-10-25T02:00Z 2026-10-25T03:00Z")]
    [InlineData("America/New_York", "0 0-23 * * *", "2026-11-01T04:30Z", "2026-11-01T05:00Z 2026-11-01T07:00Z 2026-11-01T08:00Z")]
    [InlineData("Australia/Lord_Howe", "45 0-23 * * *", "2026-04-04T14:30Z", "2026-04-04T14:45Z 2026-04-04T16:15Z 2026-04-04T17:15Z")]
    [InlineData("Australia/Lord_Howe", "0 0-23 * * *", "2026-04-04T14:30Z", "2026-04-04T15:30Z 2026-04-04T16:30Z")]
    public void A_fixed_time_job_runs_once_in_the_repeated_hour(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    [Theory]
    [InlineData("Europe/Paris", "0,20,40 2 * * *", "2026-03-29T00:30Z", "2026-03-29T01:00Z 2026-03-30T00:00Z")]
    [InlineData("America/New_York", "30 2 * * *", "2026-03-08T06:30Z", "2026-03-08T07:00Z 2026-03-09T06:30Z")]
    [InlineData("Australia/Lord_Howe", "15 2 * * *", "2026-10-03T15:00Z", "2026-10-03T15:30Z 2026-10-04T15:15Z")]
    [InlineData("Europe/Paris", "30 2 * * *", "2026-03-29T00:59Z", "2026-03-29T01:00Z 2026-03-30T00:30Z")]
    [InlineData("America/New_York", "30 2 * * *", "2026-03-08T06:59:30Z", "2026-03-08T07:00Z 2026-03-09T06:30Z")]
    [InlineData("Australia/Lord_Howe", "15 2 * * *", "2026-10-03T15:29Z", "2026-10-03T15:30Z 2026-10-04T15:15Z")]
    public void A_fixed_time_job_in_the_spring_gap_runs_once_right_after_the_jump(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    [Theory]
    [InlineData("Europe/Paris", "0,20,40 2 * * *", "2026-10-25T01:10Z", "2026-10-26T01:00Z")]
    [InlineData("America/New_York", "0,20,40 1 * * *", "2026-11-01T06:10Z", "2026-11-02T06:00Z")]
    [InlineData("Australia/Lord_Howe", "35 1 * * *", "2026-04-04T15:00Z", "2026-04-05T15:05Z")]
    public void A_fixed_time_job_asked_during_the_second_pass_waits_for_the_next_day(string zone, string expression, string start, string expected) =>
        Firings(expression, zone, start, expected);

    // Healthchecks' extensions (so its users can paste their schedules): L and LW in the day of
    // month, nL (last weekday n of the month) and n#k (k-th weekday n) in the day of week.
    [Theory]
    [InlineData("0 0 L * *", "2028-02-01T00:00Z", "2028-02-29T00:00Z 2028-03-31T00:00Z 2028-04-30T00:00Z")]
    [InlineData("0 0 L 2 *", "2027-01-01T00:00Z", "2027-02-28T00:00Z 2028-02-29T00:00Z")]
    [InlineData("0 0 1,L * *", "2026-01-15T00:00Z", "2026-01-31T00:00Z 2026-02-01T00:00Z 2026-02-28T00:00Z")]
    [InlineData("0 9 LW * *", "2026-01-01T00:00Z", "2026-01-30T09:00Z 2026-02-27T09:00Z 2026-03-31T09:00Z")]
    [InlineData("0 9 LW 5 *", "2026-01-01T00:00Z", "2026-05-29T09:00Z")]
    [InlineData("0 9 lw * *", "2028-02-01T00:00Z", "2028-02-29T09:00Z")]
    [InlineData("0 0 * * 5L", "2026-01-01T00:00Z", "2026-01-30T00:00Z 2026-02-27T00:00Z 2026-03-27T00:00Z")]
    [InlineData("0 0 * * 0L", "2026-01-01T00:00Z", "2026-01-25T00:00Z 2026-02-22T00:00Z 2026-03-29T00:00Z")]
    [InlineData("0 0 * * 7L", "2026-01-01T00:00Z", "2026-01-25T00:00Z")]
    [InlineData("0 0 * * 1#2", "2026-01-01T00:00Z", "2026-01-12T00:00Z 2026-02-09T00:00Z 2026-03-09T00:00Z")]
    [InlineData("0 0 * * MON#1,FRI#5", "2026-01-01T00:00Z", "2026-01-05T00:00Z 2026-01-30T00:00Z 2026-02-02T00:00Z")]
    [InlineData("0 0 * * sun#5", "2026-01-01T00:00Z", "2026-03-29T00:00Z 2026-05-31T00:00Z")]
    [InlineData("0 0 * 2 1#5", "2026-01-01T00:00Z", "2044-02-29T00:00Z")]
    [InlineData("0 0 L * 1#1", "2026-01-01T00:00Z", "2026-01-05T00:00Z 2026-01-31T00:00Z 2026-02-02T00:00Z")]
    [InlineData("0 0 * * 7", "2026-01-01T00:00Z", "2026-01-04T00:00Z 2026-01-11T00:00Z")]
    [InlineData("0 0 * * SUN", "2026-01-01T00:00Z", "2026-01-04T00:00Z 2026-01-11T00:00Z")]
    [InlineData("0 0 1 JAN,jul *", "2026-01-01T00:00Z", "2026-07-01T00:00Z 2027-01-01T00:00Z")]
    public void Healthchecks_day_extensions_pick_the_days_healthchecks_picks(string expression, string start, string expected) =>
        Firings(expression, "UTC", start, expected);

    [Theory]
    [InlineData("0 0 L-2 * *", "day of month")]
    [InlineData("0 0 LX * *", "day of month")]
    [InlineData("0 0 W * *", "day of month")]
    [InlineData("0 0 1-L * *", "day of month")]
    [InlineData("0 0 L/2 * *", "day of month")]
    [InlineData("0 0 * * L", "day of week")]
    [InlineData("0 0 * * 8L", "day of week")]
    [InlineData("0 0 * * 1-2L", "day of week")]
    [InlineData("0 0 * * 1#0", "day of week")]
    [InlineData("0 0 * * 1#6", "day of week")]
    [InlineData("0 0 * * 8#1", "day of week")]
    [InlineData("0 0 * * 1#", "day of week")]
    [InlineData("0 0 * * #2", "day of week")]
    [InlineData("0 0 * * 1#2/2", "day of week")]
    [InlineData("0 L * * *", "hour")]
    [InlineData("0 0 * L *", "month")]
    public void Misused_extensions_are_refused_naming_the_field(string expression, string mentions)
    {
        CronSchedule.TryParse(expression, "UTC", out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(mentions);
    }

    [Theory]
    [InlineData("*/15 2 * * *")]
    [InlineData("30 * * * *")]
    [InlineData("15 * * * *")]
    [InlineData("*/10 1 * * *")]
    [InlineData("*/10 2 * * *")]
    [InlineData("0 0-23 * * *")]
    [InlineData("45 0-23 * * *")]
    [InlineData("0,20,40 1,2 * * *")]
    [InlineData("29,59 1,2 * * *")]
    [InlineData("5-55/25 1-3 * * *")]
    [InlineData("* * * * *")]
    [InlineData("15 2 * * *")]
    [InlineData("0 9 * * *")]
    public void Next_agrees_with_a_replay_of_debian_crons_clock_loop_on_every_2026_change(string expression)
    {
        foreach (var zone in new[] { "Europe/Paris", "America/New_York", "Australia/Lord_Howe" })
        {
            var schedule = Parse(expression, zone);
            foreach (var change in new[] { Utc(2026, 3, 29, 1, 0), Utc(2026, 10, 25, 1, 0), Utc(2026, 3, 8, 7, 0), Utc(2026, 11, 1, 6, 0), Utc(2026, 4, 4, 15, 0), Utc(2026, 10, 3, 15, 30) })
            {
                var (from, to) = (change.AddHours(-30), change.AddHours(30));
                var chained = new List<DateTimeOffset>();
                for (var at = schedule.Next(from); at <= to; at = schedule.Next(at))
                {
                    chained.Add(at);
                }
                chained.ShouldBe(ReplayDebianCron(schedule, from, to), $"{expression} in {zone} around {change:u}");
            }
        }
    }

    /// <summary>
    /// The minutes Debian cron's main loop (cron.c) runs a job: each minute it compares the wall
    /// clock with its "virtual time". One minute on: run every job. 2-5 minutes: catch up minute
    /// by minute. 6 minutes to 3 hours on (a forward jump): wildcard jobs for now, fixed-time jobs
    /// for every skipped minute. Back up to 3 hours: wildcard jobs only, virtual time waits. More
    /// than 3 hours either way: run every job, as if the clock had been set.
    /// </summary>
    private static List<DateTimeOffset> ReplayDebianCron(CronSchedule schedule, DateTimeOffset from, DateTimeOffset to)
    {
        DateTime Wall(DateTimeOffset t) => t.ToOffset(schedule.Zone.GetUtcOffset(t)).DateTime;
        bool Runs(DateTime wall, bool wildcard, bool fixedTime) =>
            schedule.Matches(wall) && (schedule.FixedTime ? fixedTime : wildcard);
        var runs = new List<DateTimeOffset>();
        var virtualTime = Wall(from);
        for (var t = from.AddMinutes(1); t <= to; t = t.AddMinutes(1))
        {
            var running = Wall(t);
            var minutes = (int)(running - virtualTime).TotalMinutes;
            var run = false;
            if (minutes == 1 || minutes > 180 || minutes < -180)
            {
                run = Runs(running, true, true);
                virtualTime = running;
            }
            else if (minutes > 1)
            {
                var caughtUp = minutes <= 5;
                run = !caughtUp && Runs(running, true, false);
                for (var v = virtualTime.AddMinutes(1); v <= running; v = v.AddMinutes(1))
                {
                    run |= Runs(v, caughtUp, true);
                }
                virtualTime = running;
            }
            else
            {
                run = Runs(running, true, false);
            }
            if (run)
            {
                runs.Add(t);
            }
        }
        return runs;
    }

    private static void Firings(string expression, string zone, string start, string expected)
    {
        var schedule = Parse(expression, zone);
        var at = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        var firings = new List<string>();
        foreach (var _ in expected.Split(' '))
        {
            at = schedule.Next(at);
            firings.Add(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
        string.Join(' ', firings).ShouldBe(expected);
    }
}
