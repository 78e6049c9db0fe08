using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Lifeline.Channels.Telegram;

/// <summary>
/// The Telegram bot: long-polls <c>getUpdates</c> and answers <c>/status</c>, <c>/down</c>,
/// <c>/pause &lt;name&gt;</c>, <c>/resume &lt;name&gt;</c>, <c>/ack &lt;name&gt;</c> and <c>/help</c> (also <c>/status@ThisBot</c>)
/// in the allowed chats only. Each update's offset is stored before the update is answered, so a
/// restart never answers a command twice. Network failures are waited out with capped backoff.
/// </summary>
public sealed class TelegramBot
{
    private const int MaxReplyAttempts = 3;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;
    private readonly TelegramBotOptions _options;
    private readonly IBotBackend _backend;
    private readonly IBotOffsetStore _offsets;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly RateGate _replyGate;
    private readonly HashSet<long> _allowed;
    private long? _offset;
    private bool _offsetLoaded;
    private string? _username;

    /// <param name="http">Used for the Bot API only; its timeout must exceed <see cref="TelegramBotOptions.PollTimeout"/>.</param>
    public TelegramBot(HttpClient http, TelegramBotOptions options, IBotBackend backend, IBotOffsetStore offsets, TimeProvider clock, ILogger<TelegramBot> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _backend = backend;
        _offsets = offsets;
        _clock = clock;
        _logger = logger;
        _replyGate = new RateGate(clock, options.ReplyInterval);
        _allowed = [.. options.AllowedChatIds];
    }

    /// <summary>Least time one empty poll takes; a quicker empty answer is followed by a pause.</summary>
    private static readonly TimeSpan MinimumEmptyPoll = TimeSpan.FromSeconds(1);

    private bool _usernameAsked;

    /// <summary>The bot's user name from <c>getMe</c>, once known; commands addressed to other bots are ignored.</summary>
    public string? Username => _username;

    /// <summary>Polls until <paramref name="ct"/> is cancelled; returns at once when no token is configured.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!_options.Enabled)
        {
            return;
        }
        if (_allowed.Count == 0)
        {
            _logger.LogWarning("The Telegram bot answers no chat: {Section}:AllowedChatIds is empty", TelegramBotOptions.Section);
        }
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var started = _clock.GetUtcNow();
                var taken = await PollOnceAsync(ct);
                failures = 0;
                // Telegram holds an empty poll for the poll timeout; an API (or proxy) that answers
                // at once must not turn this loop into a busy one.
                var elapsed = _clock.GetUtcNow() - started;
                if (taken == 0 && elapsed < MinimumEmptyPoll)
                {
                    await Task.Delay(MinimumEmptyPoll - elapsed, _clock, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var wait = Backoff(failures, _options.MaxBackoff);
                _logger.LogWarning("Telegram getUpdates failed ({Failures} in a row): {Error}; polling again in {Wait} s",
                    failures, Redact(ex.Message), wait.TotalSeconds);
                try
                {
                    await Task.Delay(wait, _clock, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One round: learns the bot's name if needed, fetches updates after the stored offset (waiting
    /// up to <see cref="TelegramBotOptions.PollTimeout"/> for news) and answers them. Returns how many
    /// updates were taken. Throws when the Bot API cannot be reached.
    /// </summary>
    public async Task<int> PollOnceAsync(CancellationToken ct)
    {
        if (!_offsetLoaded)
        {
            _offset = await _offsets.GetAsync(ct);
            _offsetLoaded = true;
        }
        if (!_usernameAsked)
        {
            // Asked once: an answer without a user name means commands are taken without @Name checks.
            _username = await GetUsernameAsync(ct);
            _usernameAsked = true;
        }

        var request = new JsonObject
        {
            ["timeout"] = (int)_options.PollTimeout.TotalSeconds,
            ["allowed_updates"] = new JsonArray("message", "channel_post"),
        };
        if (_offset is { } offset)
        {
            request["offset"] = offset;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The server holds the request for the poll timeout; give the answer some slack beyond it.
        deadline.CancelAfter(_options.PollTimeout + TimeSpan.FromSeconds(15));
        var result = await TelegramApi.CallAsync(_http, Method("getUpdates"), request, _clock.GetUtcNow(), deadline.Token);

        var updates = (result as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(u => (Id: u["update_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : (long?)null, Update: u))
            .Where(u => u.Id is not null)
            .OrderBy(u => u.Id)
            .ToList();
        foreach (var (id, update) in updates)
        {
            // Stored before answering: after a crash between the two the command goes unanswered
            // rather than answered twice. The next getUpdates with this offset acknowledges it.
            _offset = id!.Value + 1;
            await _offsets.SetAsync(_offset.Value, ct);
            try
            {
                await HandleAsync(update, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _logger.LogWarning("Telegram update {UpdateId} could not be answered: {Error}", id, Redact(ex.Message));
            }
        }
        return updates.Count;
    }

    private async Task HandleAsync(JsonObject update, CancellationToken ct)
    {
        if ((update["message"] ?? update["channel_post"]) is not JsonObject message
            || message["chat"]?["id"] is not JsonValue chatValue || !chatValue.TryGetValue<long>(out var chatId)
            || message["text"] is not JsonValue textValue || !textValue.TryGetValue<string>(out var text))
        {
            return;
        }
        var command = ParseCommand(text, _username);
        if (command is null)
        {
            return;
        }
        if (!_allowed.Contains(chatId))
        {
            _logger.LogInformation("Ignored Telegram command {Command} from chat {ChatId}, which is not in {Section}:AllowedChatIds",
                NoticeText.Cut(command.Value.Name, 32), chatId, TelegramBotOptions.Section);
            return;
        }
        long? thread = message["is_topic_message"] is JsonValue topic && topic.TryGetValue<bool>(out var isTopic) && isTopic
            && message["message_thread_id"] is JsonValue t && t.TryGetValue<long>(out var threadId) ? threadId : null;
        var replies = await AnswerAsync(command.Value.Name, command.Value.Argument, Sender(message), ct);
        foreach (var reply in replies)
        {
            await ReplyAsync(chatId, thread, reply, ct);
        }
    }

    /// <summary>Who sent a message, for records such as an acknowledgement: the user name, else the name, else the chat's title.</summary>
    private static string Sender(JsonObject message)
    {
        static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
        var from = message["from"];
        var full = string.Join(' ', new[] { Text(from?["first_name"]), Text(from?["last_name"]) }.OfType<string>());
        return Text(from?["username"]) ?? (full.Length > 0 ? full : null) ?? Text(message["chat"]?["title"]) ?? "telegram";
    }

    private async Task<IReadOnlyList<string>> AnswerAsync(string name, string argument, string sender, CancellationToken ct)
    {
        try
        {
            switch (name)
            {
                case "status":
                    return BotReplies.Status(await _backend.GetStatusAsync(ct), _clock.GetUtcNow());
                case "down":
                    return BotReplies.Down(await _backend.GetStatusAsync(ct), _clock.GetUtcNow());
                case "pause" or "resume" or "ack" when argument.Length == 0:
                    return [$"Which monitor? Send /{name} &lt;name&gt;."];
                case "pause":
                    return BotReplies.Plain(await _backend.PauseAsync(argument, ct));
                case "resume":
                    return BotReplies.Plain(await _backend.ResumeAsync(argument, ct));
                case "ack":
                    return BotReplies.Plain(await _backend.AcknowledgeAsync(argument, sender, ct));
                case "help" or "start":
                    return BotReplies.Help();
                default:
                    return ["Unknown command. Send /help for the list."];
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _logger.LogError(ex, "Telegram command /{Command} failed", name);
            return ["Sorry, that failed on the server; its log says why."];
        }
    }

    private async Task ReplyAsync(long chatId, long? thread, string html, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["chat_id"] = chatId,
            ["text"] = html,
            ["parse_mode"] = "HTML",
            ["disable_web_page_preview"] = true,
        };
        if (thread is { } threadId)
        {
            body["message_thread_id"] = threadId;
        }
        for (var attempt = 1; ; attempt++)
        {
            await _replyGate.WaitAsync(chatId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            try
            {
                await TelegramApi.CallAsync(_http, Method("sendMessage"), body, _clock.GetUtcNow(), ct);
                return;
            }
            catch (DeliveryException ex) when (ex.StatusCode == 429 && attempt < MaxReplyAttempts)
            {
                var wait = ex.RetryAfter is { } asked && asked < MaxRetryAfter ? asked : MaxRetryAfter;
                await Task.Delay(wait, _clock, ct);
            }
        }
    }

    private async Task<string?> GetUsernameAsync(CancellationToken ct)
    {
        var me = await TelegramApi.CallAsync(_http, Method("getMe"), new JsonObject(), _clock.GetUtcNow(), ct);
        return me?["username"] is JsonValue name && name.TryGetValue<string>(out var username) ? username : null;
    }

    /// <summary>
    /// The command of a message: <c>/Status@ThisBot extra words</c> gives (<c>status</c>, <c>extra words</c>).
    /// Null for plain text and for commands addressed to another bot.
    /// </summary>
    public static (string Name, string Argument)? ParseCommand(string text, string? botUsername)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('/') || trimmed.Length < 2)
        {
            return null;
        }
        var space = trimmed.IndexOfAny([' ', '\n', '\t']);
        var head = space < 0 ? trimmed[1..] : trimmed[1..space];
        var argument = space < 0 ? "" : trimmed[(space + 1)..].Trim();
        var at = head.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var addressee = head[(at + 1)..];
            if (botUsername is not null && !addressee.Equals(botUsername, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            head = head[..at];
        }
        return head.Length == 0 ? null : (head.ToLowerInvariant(), argument);
    }

    /// <summary>Waits after <paramref name="failures"/> failures in a row: 1 s, 2 s, 4 s ... up to <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan max)
    {
        var seconds = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var wait = TimeSpan.FromSeconds(seconds);
        return wait < max ? wait : max;
    }

    private Uri Method(string name) => TelegramApi.MethodUri(_options.ApiBase, _options.BotToken!, name);

    // Error texts should never hold the token, but nothing that might is logged unmasked.
    private string Redact(string text) =>
        string.IsNullOrEmpty(_options.BotToken) ? text : text.Replace(_options.BotToken, "<bot token>", StringComparison.Ordinal);
}
