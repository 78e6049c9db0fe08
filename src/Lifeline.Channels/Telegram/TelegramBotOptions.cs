namespace Lifeline.Channels.Telegram;

/// <summary>The Telegram bot's settings, bound from <c>Lifeline:Telegram:*</c>. The bot stays off without a token.</summary>
public sealed record TelegramBotOptions
{
    public const string Section = "Lifeline:Telegram";

    /// <summary>The bot's token from BotFather. Secret: it is part of every API URL.</summary>
    public string? BotToken { get; init; }

    /// <summary>Chats the bot answers (users, groups: negative ids). Messages from any other chat are ignored and logged. Default none.</summary>
    public long[] AllowedChatIds { get; init; } = [];

    /// <summary>Bot API base [https://api.telegram.org].</summary>
    public string ApiBase { get; init; } = TelegramApi.DefaultApiBase;

    /// <summary>How long one getUpdates call waits for news [30 s]. The HttpClient's timeout must be longer.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Least time between two replies in one chat [1 s], Telegram's advice.</summary>
    public TimeSpan ReplyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between polls after failures [1 min]; waits start at 1 s and double.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>Every problem with the settings at once; empty when the bot can run (or is off).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }
        if (!TelegramChannel.IsToken(BotToken!))
        {
            problems.Add($"{Section}:BotToken does not look like a bot token (digits, a colon, then letters, digits, '-' or '_')");
        }
        if (!Uri.TryCreate(ApiBase, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{Section}:ApiBase must be an absolute http or https URL");
        }
        if (PollTimeout < TimeSpan.Zero || PollTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{Section}:PollTimeout must be between 0 and 5 minutes");
        }
        if (ReplyInterval < TimeSpan.Zero)
        {
            problems.Add($"{Section}:ReplyInterval may not be negative");
        }
        if (MaxBackoff < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{Section}:MaxBackoff must be at least 1 second");
        }
        return problems;
    }
}
