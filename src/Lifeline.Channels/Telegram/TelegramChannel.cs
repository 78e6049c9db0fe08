using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Telegram;

/// <summary>
/// Sends notices to a Telegram chat through <c>POST &lt;apiBase&gt;/bot&lt;botToken&gt;/sendMessage</c>
/// in HTML parse mode, at most 4,096 characters, spaced as Telegram asks: one per second in a
/// private chat, one per three seconds in a group or channel (20 a minute).
/// Settings: <c>botToken</c>, <c>chatId</c> (number or <c>@channel</c>), optional <c>apiBase</c>
/// [https://api.telegram.org] and <c>messageThreadId</c> (a forum topic).
/// </summary>
public sealed class TelegramChannel : INoticeChannel
{
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly RateGate _gate;
    private readonly TimeSpan _perChat;
    private readonly TimeSpan _perGroup;

    /// <param name="perChat">Least time between two messages to one private chat [1 s].</param>
    /// <param name="perGroup">Least time between two messages to one group or channel [3 s].</param>
    public TelegramChannel(HttpClient http, TimeProvider clock, TimeSpan? perChat = null, TimeSpan? perGroup = null)
    {
        _http = http;
        _clock = clock;
        _perChat = perChat ?? TimeSpan.FromSeconds(1);
        _perGroup = perGroup ?? TimeSpan.FromSeconds(3);
        _gate = new RateGate(clock, _perChat);
    }

    public string Kind => "telegram";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        var token = ChannelSettings.String(settings, "botToken");
        if (string.IsNullOrWhiteSpace(token))
        {
            errors.Add("'botToken' is required (the token BotFather gave, like 123456:ABC-DEF)");
        }
        else if (!IsToken(token))
        {
            errors.Add("'botToken' does not look like a bot token (digits, a colon, then letters, digits, '-' or '_')");
        }
        var chat = ChannelSettings.Scalar(settings, "chatId");
        if (string.IsNullOrWhiteSpace(chat))
        {
            errors.Add("'chatId' is required (a number such as -1001234567890, or @channelname)");
        }
        else if (!long.TryParse(chat, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _) && !(chat.StartsWith('@') && chat.Length > 1))
        {
            errors.Add("'chatId' must be a number or an @channelname");
        }
        ChannelSettings.RequireUrl(settings, "apiBase", errors, optional: true);
        if (settings.ContainsKey("messageThreadId") && settings["messageThreadId"] is not null && ChannelSettings.Integer(settings, "messageThreadId") is null)
        {
            errors.Add("'messageThreadId' must be a whole number");
        }
        return errors;
    }

    public async Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var settings = channel.Settings;
        var token = ChannelSettings.Required(settings, "botToken");
        var chatId = ChannelSettings.Scalar(settings, "chatId") ?? throw new DeliveryException("channel setting 'chatId' is missing", permanent: true);
        var body = new JsonObject
        {
            ["chat_id"] = TelegramApi.ChatId(chatId),
            ["text"] = Render(NoticeText.From(notice)),
            ["parse_mode"] = "HTML",
            ["disable_web_page_preview"] = true,
        };
        if (ChannelSettings.Integer(settings, "messageThreadId") is { } thread)
        {
            body["message_thread_id"] = thread;
        }
        var method = TelegramApi.MethodUri(ChannelSettings.String(settings, "apiBase"), token, "sendMessage");
        // Group and supergroup ids are negative; channels may be given by @name.
        var interval = chatId.StartsWith('-') || chatId.StartsWith('@') ? _perGroup : _perChat;
        await _gate.WaitAsync($"{chatId}@{method.Authority}{method.AbsolutePath}", interval, ct);
        await TelegramApi.CallAsync(_http, method, body, _clock.GetUtcNow(), ct);
    }

    /// <summary>The notice as Telegram HTML, cut to 4,096 characters.</summary>
    public static string Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var html = new StringBuilder();
        html.Append(text.Symbol).Append(" <b>").Append(TelegramHtml.Escape(text.Title)).Append("</b>\n");
        html.Append(TelegramHtml.Escape(text.Headline)).Append('\n');
        if (text.Facts.Count > 0)
        {
            html.Append('\n');
        }
        foreach (var fact in text.Facts)
        {
            html.Append("<b>").Append(TelegramHtml.Escape(fact.Label)).Append(":</b> ").Append(TelegramHtml.Escape(fact.Value)).Append('\n');
        }
        if (text.Link is not null)
        {
            html.Append("\n<a href=\"").Append(TelegramHtml.Escape(text.Link)).Append("\">Open the monitor</a>");
        }
        return TelegramHtml.Fit(html.ToString().TrimEnd('\n'));
    }

    internal static bool IsToken(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && token[..colon].All(char.IsAsciiDigit)
            && colon < token.Length - 1
            && token[(colon + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }
}
