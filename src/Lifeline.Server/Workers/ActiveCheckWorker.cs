using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Workers;

/// <summary>Runs the active check sweep every <see cref="LifelineOptions.SweepIntervalMs"/>, starting the checks that fell due; the sweep itself starts queued checks as slots free up.</summary>
internal sealed class ActiveCheckWorker(ActiveCheckSweep sweep, TimeProvider clock, IOptions<LifelineOptions> options, ILogger<ActiveCheckWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweep.SweepOnceAsync(stoppingToken);
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
                logger.LogError(ex, "Active check pass failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        sweep.Stop();
        await sweep.DrainAsync();
    }
}
