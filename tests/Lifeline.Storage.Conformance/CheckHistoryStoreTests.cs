namespace Lifeline.Storage.Conformance;

/// <summary>Active checks: their events with condition results, and hourly rollups.</summary>
public abstract class CheckHistoryStoreTests : StoreTests
{
    private Monitor NewHttp() => new()
    {
        Id = Secrets.NewId(),
        Name = "site",
        Kind = MonitorKind.Http,
        Target = "http://127.0.0.1:9/",
        Interval = TimeSpan.FromMinutes(1),
        CreatedAt = F.Clock.GetUtcNow(),
    };

    private Signal Check(bool ok, long durationMs, bool unknown = false) => new()
    {
        Kind = SignalKind.Check,
        Ok = ok,
        At = F.Clock.GetUtcNow(),
        DurationMs = durationMs,
        Unknown = unknown,
        Message = ok ? "200 OK" : "timeout",
        Conditions = [new ConditionCheck("[STATUS] == 200", ok, ok ? "200 == 200" : "0 == 200")],
    };

    [Fact]
    public async Task A_check_event_keeps_its_conditions_and_whether_it_was_inconclusive()
    {
        var monitor = await F.Monitors.AddAsync(NewHttp(), Ct);

        await F.Monitors.RecordAsync(new SignalAddress { MonitorId = monitor.Id }, Check(ok: false, 120, unknown: true), Ct);

        var e = (await F.Monitors.EventsAsync(monitor.Id, 10, Ct)).Single();
        e.Type.ShouldBe(SignalKind.Check);
        e.Unknown.ShouldBeTrue();
        e.DurationMs.ShouldBe(120);
        e.Conditions!.Single().ShouldBe(new ConditionCheck("[STATUS] == 200", false, "0 == 200"));
    }

    [Fact]
    public async Task Checks_are_rolled_up_per_hour_with_failures_inconclusive_results_and_latency()
    {
        var monitor = await F.Monitors.AddAsync(NewHttp(), Ct);
        var address = new SignalAddress { MonitorId = monitor.Id };
        var hour = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        await F.Monitors.RecordAsync(address, Check(ok: true, 40), Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(1));
        await F.Monitors.RecordAsync(address, Check(ok: true, 40), Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(1));
        await F.Monitors.RecordAsync(address, Check(ok: false, 5000), Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(1));
        await F.Monitors.RecordAsync(address, Check(ok: false, 9000, unknown: true), Ct);
        F.Clock.Advance(TimeSpan.FromHours(1));
        await F.Monitors.RecordAsync(address, Check(ok: true, 40), Ct);

        var rollups = await F.History.RollupsAsync(monitor.Id, hour, hour.AddHours(2), Ct);
        var onlyFirst = await F.History.RollupsAsync(monitor.Id, hour, hour.AddHours(1), Ct);

        rollups.Select(r => r.Hour).ShouldBe([hour, hour.AddHours(1)]);
        rollups[0].Checks.ShouldBe(4);
        rollups[0].Failures.ShouldBe(1);
        rollups[0].Unknown.ShouldBe(1);
        rollups[0].LatencyBuckets.Count.ShouldBe(LatencyHistogram.BucketCount);
        rollups[0].LatencyBuckets[LatencyHistogram.BucketOf(40)].ShouldBe(2);
        rollups[0].LatencyBuckets[LatencyHistogram.BucketOf(5000)].ShouldBe(1);
        rollups[0].LatencyBuckets.Sum().ShouldBe(3);
        rollups[1].Checks.ShouldBe(1);
        onlyFirst.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Rollups_older_than_the_cutoff_are_pruned()
    {
        var monitor = await F.Monitors.AddAsync(NewHttp(), Ct);
        var address = new SignalAddress { MonitorId = monitor.Id };
        var start = F.Clock.GetUtcNow();
        await F.Monitors.RecordAsync(address, Check(ok: true, 40), Ct);
        F.Clock.Advance(TimeSpan.FromDays(10));
        await F.Monitors.RecordAsync(address, Check(ok: true, 40), Ct);

        await F.Monitors.PruneHistoryAsync(F.Clock.GetUtcNow().AddDays(-5), Ct);

        (await F.History.RollupsAsync(monitor.Id, start, F.Clock.GetUtcNow().AddHours(1), Ct)).Count.ShouldBe(1);
    }
}
