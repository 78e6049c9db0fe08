using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Webhook;

/// <summary>
/// POSTs the notice as JSON with Standard Webhooks headers: <c>webhook-id</c> (stable across
/// retries), <c>webhook-timestamp</c>, and with a <c>secret</c> a <c>webhook-signature</c> of
/// <c>v1,base64(HMAC-SHA256("id.timestamp.body"))</c>. Every failure is transient: the
/// dispatcher retries until the receiver accepts or the notice is a day old. Webhooks do not group
/// notices unless the channel sets <c>groupSeconds</c>; a grouped notice is then sent as
/// <c>{"type": "monitors.down" | "monitors.up", "at", "reason", "count", "notices": [one §4 body per monitor]}</c>.
/// </summary>
public sealed class WebhookChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    /// <summary>The type of a grouped body of down notices.</summary>
    public const string GroupDownType = "monitors.down";

    /// <summary>The type of a grouped body of up notices.</summary>
    public const string GroupUpType = "monitors.up";

    public string Kind => "webhook";

    /// <summary>Machines expect one event per monitor: no grouping unless the channel asks for it.</summary>
    public bool GroupsByDefault => false;

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        return errors;
    }

    public async Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        var url = ChannelSettings.Required(channel.Settings, "url");
        var body = notice.Group is { Count: > 1 } group ? GroupBody(notice, group) : NoticeJson.Serialize(notice);
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.Id);
        request.Headers.Add("webhook-timestamp", timestamp);
        if (ChannelSettings.String(channel.Settings, "secret") is { Length: > 0 } secret)
        {
            request.Headers.Add("webhook-signature", Sign(secret, delivery.Id, timestamp, body));
        }
        using var response = await HttpDelivery.SendAsync(http, request, ct);
        // The contract: any non-2xx answer (or none) is retried until delivered or a day old.
        await HttpDelivery.EnsureDeliveredAsync(response, now, ct, retryAnyFailure: true);
    }

    /// <summary>
    /// The Standard Webhooks signature. A secret given as <c>whsec_&lt;base64&gt;</c> is used as
    /// those bytes; any other secret as its UTF-8 bytes.
    /// </summary>
    /// <summary>The body of a grouped notice: each notice of the group as its own one-monitor body.</summary>
    public static string GroupBody(Notice notice, IReadOnlyList<Notice> group)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(group);
        var notices = new JsonArray([.. group.Select(n => JsonNode.Parse(NoticeJson.Serialize(n)))]);
        var body = new JsonObject
        {
            ["type"] = notice.IsUp ? GroupUpType : GroupDownType,
            ["at"] = JsonSerializer.SerializeToNode(notice.At, NoticeJson.Options),
            ["reason"] = notice.Reason,
            ["count"] = group.Count,
            ["notices"] = notices,
        };
        return body.ToJsonString(NoticeJson.Options);
    }

    public static string Sign(string secret, string id, string timestamp, string body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal)
            ? Convert.FromBase64String(secret["whsec_".Length..])
            : Encoding.UTF8.GetBytes(secret);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}
