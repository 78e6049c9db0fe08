using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Workers;

/// <summary>
/// Keeps this node checked in: the first check-in happens before the sweeps start (so they know
/// their share), then one every <see cref="ClusterOptions.CheckInEvery"/>; a clean stop gives up
/// every lease so the other nodes take over at once.
/// </summary>
internal sealed class ClusterWorker(ClusterCoordinator coordinator, ClusterOptions options, TimeProvider clock, ILogger<ClusterWorker> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await coordinator.TickAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // Lost right after opening: the loop checks in once it is back.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A first check-in that fails (say, a clash with a node starting at the same moment)
            // must not stop the start: the loop checks in again in a moment.
            logger.LogWarning("First cluster check-in failed ({Error}); trying again in {Seconds} s", ex.Message, options.CheckInEvery.TotalSeconds);
        }
        logger.LogInformation("Node {Node} at {Address} checked in; {Count} nodes known", coordinator.Self.Id, coordinator.Self.Address, coordinator.Nodes.Count);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.CheckInEvery, clock, stoppingToken);
                await coordinator.TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException)
            {
                // The store logs the outage once; leases run out by themselves if it lasts.
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Cluster check-in failed; trying again");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await coordinator.LeaveAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
        {
            // Unreachable at stop: the leases expire on their own.
        }
    }
}
