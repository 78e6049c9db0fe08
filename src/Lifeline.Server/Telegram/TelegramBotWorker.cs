using Lifeline.Channels;
using Lifeline.Channels.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Telegram;

/// <summary>Runs the Telegram bot when <c>Lifeline:Telegram:BotToken</c> is set.</summary>
internal sealed class TelegramBotWorker(TelegramBotOptions options, IBotBackend backend, IBotOffsetStore offsets, TimeProvider clock, ILogger<TelegramBot> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        using var http = ChannelCatalog.CreateHttpClient(options.PollTimeout + TimeSpan.FromSeconds(30));
        var bot = new TelegramBot(http, options, backend, offsets, clock, logger);
        logger.LogInformation("Telegram bot started; answering {Count} allowed chats", options.AllowedChatIds.Length);
        await bot.RunAsync(stoppingToken);
    }
}
