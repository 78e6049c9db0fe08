using Lifeline.Channels;
using Lifeline.Channels.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Telegram;

/// <summary>
/// Runs the Telegram bot when <c>Lifeline:Telegram:BotToken</c> is set, on one node of a cluster at
/// a time: the one holding the <see cref="Lease"/> (Telegram answers 409 to a second poller).
/// </summary>
internal sealed class TelegramBotWorker(TelegramBotOptions options, IBotBackend backend, IBotOffsetStore offsets, ClusterCoordinator cluster, TimeProvider clock, ILogger<TelegramBot> logger) : BackgroundService
{
    /// <summary>The lease of the one node that polls.</summary>
    public const string Lease = "telegram";

    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        using var http = ChannelCatalog.CreateHttpClient(options.PollTimeout + TimeSpan.FromSeconds(30));
        var bot = new TelegramBot(http, options, backend, offsets, clock, logger);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!cluster.Holds(Lease))
                {
                    await Task.Delay(LookEvery, clock, stoppingToken);
                    continue;
                }
                logger.LogInformation("Telegram bot started; answering {Count} allowed chats", options.AllowedChatIds.Length);
                // Poll while this node holds the lease; losing it stops the poll in flight.
                using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var polling = bot.RunAsync(held.Token);
                while (!polling.IsCompleted && cluster.Holds(Lease))
                {
                    await Task.WhenAny(polling, Task.Delay(LookEvery, clock, stoppingToken));
                }
                await held.CancelAsync();
                await polling;
                if (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogInformation("Telegram bot stopped here: another node polls now");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
