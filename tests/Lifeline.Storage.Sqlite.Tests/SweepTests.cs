namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>The deadline sweep and the outage amnesty, on a real store and a manual clock.</summary>
public sealed class SweepTests : IAsyncLifetime
{
    private StoreFixture _f = null!;
    private DeadlineSweep _sweep = null!;
    private OutageAmnesty _amnesty = null!;
    private readonly DispatchSignal _dispatch = new();

    public async Task InitializeAsync()
    {
        _f = await StoreFixture.OpenAsync();
        _sweep = new DeadlineSweep(_f.Store, _f.Clock, new LifelineMetrics(), _dispatch);
        _amnesty = new OutageAmnesty(_f.Store, _f.Store, _f.Clock);
    }

    public async Task DisposeAsync()
    {
        _dispatch.Dispose();
        await _f.DisposeAsync();
    }

    private static CancellationToken Ct => CancellationToken.None;

    private async Task<Monitor> UpMonitor(int period = 60, int grace = 0)
    {
        var monitor = await _f.Store.AddAsync(_f.NewPush(periodSeconds: period, graceSeconds: grace), Ct);
        return (await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Up(), Ct)).Monitor!;
    }

    private async Task<MonitorStatus> StatusOf(Monitor m) => (await _f.Store.FindAsync(m.Id, Ct))!.Status;

    [Fact]
    public async Task The_sweep_leaves_a_monitor_alone_before_its_deadline()
    {
        var monitor = await UpMonitor();
        _f.Clock.Advance(TimeSpan.FromSeconds(59));

        await _sweep.SweepOnceAsync(Ct);

        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
    }

    [Fact]
    public async Task The_sweep_makes_a_silent_monitor_late_then_down_and_opens_one_incident()
    {
        var monitor = await UpMonitor(period: 60, grace: 30);

        _f.Clock.Advance(TimeSpan.FromSeconds(61));
        await _sweep.SweepOnceAsync(Ct);
        var late = await StatusOf(monitor);
        _f.Clock.Advance(TimeSpan.FromSeconds(30));
        await _sweep.SweepOnceAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        late.ShouldBe(MonitorStatus.Late);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
        (await _f.Store.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_sweep_reports_more_work_when_a_full_batch_was_due()
    {
        var sweep = new DeadlineSweep(_f.Store, _f.Clock, new LifelineMetrics(), _dispatch) { BatchSize = 2 };
        for (var i = 0; i < 3; i++)
        {
            await UpMonitor();
        }
        _f.Clock.Advance(TimeSpan.FromMinutes(2));

        (await sweep.SweepOnceAsync(Ct)).ShouldBeTrue();
        (await sweep.SweepOnceAsync(Ct)).ShouldBeFalse();
        (await _f.Store.CountByStatusAsync(Ct))[MonitorStatus.Down].ShouldBe(3);
    }

    [Fact]
    public async Task After_the_server_was_away_a_passed_deadline_gets_one_fresh_period_instead_of_an_alert()
    {
        var monitor = await UpMonitor(period: 60);
        await _amnesty.MarkTickAsync(Ct);
        // The server stops; ten minutes pass; it starts again.
        _f.Clock.Advance(TimeSpan.FromMinutes(10));
        await _f.ReopenAsync();
        _amnesty = new OutageAmnesty(_f.Store, _f.Store, _f.Clock);
        _sweep = new DeadlineSweep(_f.Store, _f.Clock, new LifelineMetrics(), _dispatch);

        var forgiven = await _amnesty.ApplyAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        forgiven.ShouldBe(1);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
        (await _f.Store.FindAsync(monitor.Id, Ct))!.NextDeadlineAt.ShouldBe(_f.Clock.GetUtcNow().AddSeconds(60));
    }

    [Fact]
    public async Task A_monitor_that_stays_silent_after_the_restart_alerts_once()
    {
        var monitor = await UpMonitor(period: 60);
        await _amnesty.MarkTickAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromMinutes(10));
        await _amnesty.ApplyAsync(Ct);

        _f.Clock.Advance(TimeSpan.FromSeconds(60));
        await _sweep.SweepOnceAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromSeconds(600));
        await _sweep.SweepOnceAsync(Ct);

        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
        (await _f.Store.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_monitor_already_down_does_not_alert_again_because_of_a_restart()
    {
        var monitor = await UpMonitor(period: 60);
        await _f.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), _f.Down(), Ct);
        await _amnesty.MarkTickAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromHours(2));

        await _amnesty.ApplyAsync(Ct);
        await _sweep.SweepOnceAsync(Ct);

        (await _f.Store.IncidentsAsync(monitor.Id, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Even_a_restart_of_a_few_seconds_forgives_a_deadline_that_fell_inside_it()
    {
        var monitor = await UpMonitor(period: 60);
        _f.Clock.Advance(TimeSpan.FromSeconds(58));
        await _amnesty.MarkTickAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromSeconds(3));

        (await _amnesty.ApplyAsync(Ct)).ShouldBe(1);
        await _sweep.SweepOnceAsync(Ct);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Up);
    }

    [Fact]
    public async Task A_deadline_that_passed_before_the_last_tick_is_still_swept()
    {
        var monitor = await UpMonitor(period: 60);
        _f.Clock.Advance(TimeSpan.FromSeconds(61));
        await _amnesty.MarkTickAsync(Ct);
        _f.Clock.Advance(TimeSpan.FromSeconds(30));

        (await _amnesty.ApplyAsync(Ct)).ShouldBe(0);
        await _sweep.SweepOnceAsync(Ct);
        (await StatusOf(monitor)).ShouldBe(MonitorStatus.Down);
    }
}
