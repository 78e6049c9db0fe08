namespace Lifeline.Storage.Conformance;

/// <summary>The deadline sweep and the outage amnesty, on a real store and a manual clock.</summary>
public abstract class SweepTests : StoreTests
{
    private DeadlineSweep _sweep = null!;
    private OutageAmnesty _amnesty = null!;
    private readonly DispatchSignal _dispatch = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _sweep = new DeadlineSweep(F.Monitors, F.Clock, new LifelineMetrics(), _dispatch);
        _amnesty = new OutageAmnesty(F.Monitors, F.Settings, F.Clock);
    }

    public override async Task DisposeAsync()
    {
        _dispatch.Dispose();
        await base.DisposeAsync();
    }

    private async Task<Monitor> UpMonitor(int period = 60, int grace = 0)
    {
        var monitor = await F.Monitors.AddAsync(F.NewPush(periodSeconds: period, graceSeconds: grace), Ct);
        return (await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Up(), Ct)).Monitor!;
    }

    private async Task<MonitorStatus> StatusOf(Monitor m) => (await F.Monitors.FindAsync(m.Id, Ct))!.Status;

    [Fact]
    public async Task The_sweep_leaves_a_monitor_alone_before_its_deadline()
    {
        var monitor = await UpMonitor();
        F.Clock.Advance(TimeSpan.FromSeconds(59));

        await _sweep.SweepOnceAsync(Ct);

        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
    }

    [Fact]
    public async Task The_sweep_makes_a_silent_monitor_late_then_down_and_opens_one_incident()
    {
        var monitor = await UpMonitor(period: 60, grace: 30);

        F.Clock.Advance(TimeSpan.FromSeconds(61));
        await _sweep.SweepOnceAsync(Ct);
        var late = await StatusOf(monitor);
        F.Clock.Advance(TimeSpan.FromSeconds(30));
        await _sweep.SweepOnceAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        late.ShouldBe(MonitorStatus.Late);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_sweep_reports_more_work_when_a_full_batch_was_due()
    {
        var sweep = new DeadlineSweep(F.Monitors, F.Clock, new LifelineMetrics(), _dispatch) { BatchSize = 2 };
        for (var i = 0; i < 3; i++)
        {
            await UpMonitor();
        }
        F.Clock.Advance(TimeSpan.FromMinutes(2));

        (await sweep.SweepOnceAsync(Ct)).ShouldBeTrue();
        (await sweep.SweepOnceAsync(Ct)).ShouldBeFalse();
        (await F.Monitors.CountByStatusAsync(Ct))[MonitorStatus.Down].ShouldBe(3);
    }

    [Fact]
    public async Task After_the_server_was_away_a_passed_deadline_gets_one_fresh_period_instead_of_an_alert()
    {
        var monitor = await UpMonitor(period: 60);
        await _amnesty.MarkTickAsync(Ct);
        // The server stops; ten minutes pass; it starts again.
        F.Clock.Advance(TimeSpan.FromMinutes(10));
        await F.ReopenAsync();
        _amnesty = new OutageAmnesty(F.Monitors, F.Settings, F.Clock);
        _sweep = new DeadlineSweep(F.Monitors, F.Clock, new LifelineMetrics(), _dispatch);

        var forgiven = await _amnesty.ApplyAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        forgiven.ShouldBe(1);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
        (await F.Monitors.FindAsync(monitor.Id, Ct))!.NextDeadlineAt.ShouldBe(F.Clock.GetUtcNow().AddSeconds(60));
    }

    [Fact]
    public async Task A_monitor_that_stays_silent_after_the_restart_alerts_once()
    {
        var monitor = await UpMonitor(period: 60);
        await _amnesty.MarkTickAsync(Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(10));
        await _amnesty.ApplyAsync(Ct);

        F.Clock.Advance(TimeSpan.FromSeconds(60));
        await _sweep.SweepOnceAsync(Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(600));
        await _sweep.SweepOnceAsync(Ct);

        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_monitor_already_down_does_not_alert_again_because_of_a_restart()
    {
        var monitor = await UpMonitor(period: 60);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), F.Down(), Ct);
        await _amnesty.MarkTickAsync(Ct);
        F.Clock.Advance(TimeSpan.FromHours(2));

        await _amnesty.ApplyAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        (await F.Monitors.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Even_a_restart_of_a_few_seconds_forgives_a_deadline_that_fell_inside_it()
    {
        var monitor = await UpMonitor(period: 60);
        F.Clock.Advance(TimeSpan.FromSeconds(58));
        await _amnesty.MarkTickAsync(Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(3));

        (await _amnesty.ApplyAsync(Ct)).ShouldBe(1);
        await _sweep.SweepOnceAsync(Ct);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
    }

    [Fact]
    public async Task A_deadline_that_passed_before_the_last_tick_is_still_swept()
    {
        var monitor = await UpMonitor(period: 60);
        F.Clock.Advance(TimeSpan.FromSeconds(61));
        await _amnesty.MarkTickAsync(Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(30));

        (await _amnesty.ApplyAsync(Ct)).ShouldBe(0);
        await _sweep.SweepOnceAsync(Ct);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
    }
}
