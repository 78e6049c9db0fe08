using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Telegram;

/// <summary>Calls to the Bot API and the mapping of its answers; shared by the channel and the bot.</summary>
internal static class TelegramApi
{
    public const string DefaultApiBase = "https://api.telegram.org";

    /// <summary>The method URL. It contains the bot token: never log it.</summary>
    public static Uri MethodUri(string? apiBase, string token, string method) =>
        new($"{(string.IsNullOrWhiteSpace(apiBase) ? DefaultApiBase : apiBase).TrimEnd('/')}/bot{token}/{method}");

    /// <summary>
    /// POSTs a JSON call and returns its <c>result</c>. Failures become <see cref="DeliveryException"/>:
    /// 429 carries <c>parameters.retry_after</c>; 400, 401, 403 and 404 are permanent.
    /// Messages never contain the token.
    /// </summary>
    public static async Task<JsonNode?> CallAsync(HttpClient http, Uri method, JsonObject body, DateTimeOffset now, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        // HttpDelivery.SendAsync names only the host in its errors, so the token in the path never reaches a message.
        using var response = await HttpDelivery.SendAsync(http, request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? answer = null;
        try
        {
            answer = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page, for example): judged by the status code alone.
        }
        var ok = answer?["ok"] is JsonValue okValue && okValue.TryGetValue<bool>(out var flag) && flag;
        if (response.IsSuccessStatusCode && ok)
        {
            return answer!["result"];
        }
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            status = ErrorCode(answer) ?? 502;
        }
        var description = answer?["description"] is JsonValue d && d.TryGetValue<string>(out var said) ? said : NoticeText.Cut(Redact(text, method), 200);
        var retryAfter = RetryAfter(answer) ?? HttpDelivery.RetryAfter(response.Headers.RetryAfter, now);
        var migrated = answer?["parameters"]?["migrate_to_chat_id"] is JsonValue m && m.TryGetValue<long>(out var newChat)
            ? $" (the group is now a supergroup: set chatId to {newChat.ToString(CultureInfo.InvariantCulture)})"
            : "";
        throw new DeliveryException(
            $"Telegram answered {status}: {description}{migrated}".TrimEnd(' ', ':'),
            // 400 (bad chat id, bad markup), 401 (bad token), 403 (bot blocked or kicked), 404, and
            // redirects (not followed, see ChannelCatalog.CreateHttpClient): retrying cannot help.
            permanent: status is >= 300 and < 400 || DeliveryException.IsPermanentStatus(status),
            retryAfter: status == 429 ? retryAfter : null,
            statusCode: status);
    }

    /// <summary>Masks the token in a text that might repeat the URL (a proxy's error page, say).</summary>
    public static string Redact(string text, Uri method)
    {
        var secret = method.Segments.FirstOrDefault(s => s.StartsWith("bot", StringComparison.Ordinal))?.TrimEnd('/');
        return string.IsNullOrEmpty(secret) || secret.Length <= 3 ? text : text.Replace(secret[3..], "<bot token>", StringComparison.Ordinal);
    }

    /// <summary><c>parameters.retry_after</c> (seconds) of an error answer, when present.</summary>
    public static TimeSpan? RetryAfter(JsonObject? answer) =>
        answer?["parameters"]?["retry_after"] is JsonValue value && value.TryGetValue<double>(out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static int? ErrorCode(JsonObject? answer) =>
        answer?["error_code"] is JsonValue value && value.TryGetValue<int>(out var code) ? code : null;

    /// <summary>A chat id as Telegram wants it: a number, or a <c>@channelusername</c> string.</summary>
    public static JsonNode ChatId(string chatId) =>
        long.TryParse(chatId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? JsonValue.Create(id) : JsonValue.Create(chatId);
}
