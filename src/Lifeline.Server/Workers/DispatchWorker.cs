using Microsoft.Extensions.Hosting;

namespace Lifeline.Server.Workers;

/// <summary>
/// Delivers notices: runs the outbox dispatcher's loop (woken by new notices and by sends that end,
/// and once a second for retries). On stop, sends still in flight are cancelled and their notices
/// given back before the store closes.
/// </summary>
internal sealed class DispatchWorker(OutboxDispatcher dispatcher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => dispatcher.RunAsync(stoppingToken);
}
