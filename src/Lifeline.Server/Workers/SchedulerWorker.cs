using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Workers;

/// <summary>
/// The scheduler loop: first forgives deadlines that passed while no server ran, then sweeps due
/// monitors every <see cref="LifelineOptions.SweepIntervalMs"/> (and releases held dependants' notices), records that it is alive, and
/// prunes old events once a minute (on one node of a cluster).
/// </summary>
internal sealed class SchedulerWorker(
    DeadlineSweep sweep,
    DependencySweep dependencies,
    MaintenanceSweep maintenance,
    OutageAmnesty amnesty,
    ClusterCoordinator cluster,
    IMonitorStore store,
    ILocationStore locations,
    SchedulerPulse pulse,
    TimeProvider clock,
    IOptions<LifelineOptions> options,
    ILogger<SchedulerWorker> logger) : BackgroundService
{
    /// <summary>The lease of the one node of a cluster that prunes old rows.</summary>
    public const string HousekeepingLease = "housekeeping";

    private static readonly TimeSpan TickPersistEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var forgiven = await amnesty.ApplyAsync(stoppingToken);
        if (forgiven > 0)
        {
            logger.LogInformation("Server was away: {Count} monitors get a fresh period instead of a false alert", forgiven);
        }
        var interval = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        var lastPersist = DateTimeOffset.MinValue;
        var lastPrune = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await sweep.SweepOnceAsync(stoppingToken))
                {
                }
                await dependencies.SweepOnceAsync(stoppingToken);
                // After the deadlines: a monitor that went down just now is seen by the window-end alert.
                await maintenance.SweepOnceAsync(stoppingToken);
                pulse.Tick();
                var now = clock.GetUtcNow();
                if (now - lastPersist >= TickPersistEvery)
                {
                    await amnesty.MarkTickAsync(stoppingToken);
                    lastPersist = now;
                }
                if (now - lastPrune >= PruneEvery && cluster.Holds(HousekeepingLease))
                {
                    await PruneAsync(stoppingToken);
                    lastPrune = now;
                }
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException)
            {
                // The store logs an outage once and /healthz tells it: no stack trace every second.
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Scheduler pass failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        // A clean stop records its own time, so the next start forgives exactly the time it was away.
        await amnesty.MarkTickAsync(CancellationToken.None);
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        var total = 0;
        for (var i = 0; i < 100; i++)
        {
            var deleted = await store.PruneEventsAsync(options.Value.EventsKept, 200, ct);
            total += deleted;
            if (deleted == 0)
            {
                break;
            }
        }
        total += await maintenance.PruneAsync(ct);
        total += await store.PruneHistoryAsync(clock.GetUtcNow() - TimeSpan.FromDays(options.Value.HistoryDays), ct);
        // Probes retry a batch within hours at most; a day of batch ids keeps every retry from being stored twice.
        total += await locations.PruneProbeDataAsync(clock.GetUtcNow() - TimeSpan.FromDays(1), ct);
        if (total > 0)
        {
            logger.LogDebug("Pruned {Count} old rows", total);
        }
    }
}
