using System.Globalization;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.PagerDuty;

/// <summary>
/// PagerDuty Events API v2. Settings: <c>routingKey</c> (an Events API v2 integration key),
/// optional <c>apiBase</c> [https://events.pagerduty.com]. A down notice triggers an alert and the
/// recovery resolves it with the same <c>dedup_key</c> (<c>lifeline-&lt;monitor id&gt;</c>), so retries
/// and repeats collapse into one incident. A test notice is sent as a change event, which proves
/// the key works without paging anyone. PagerDuty does not group notices unless the channel sets
/// <c>groupSeconds</c>; a grouped notice then still goes as one event per monitor, one after another.
/// </summary>
public sealed class PagerDutyChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    public const string DefaultApiBase = "https://events.pagerduty.com";

    public string Kind => "pagerduty";

    /// <summary>An incident tool wants one alert per monitor: no grouping unless the channel asks for it.</summary>
    public bool GroupsByDefault => false;

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireString(settings, "routingKey", errors);
        ChannelSettings.RequireUrl(settings, "apiBase", errors, optional: true);
        return errors;
    }

    public async Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(notice);
        var key = ChannelSettings.Required(channel.Settings, "routingKey");
        var apiBase = (ChannelSettings.String(channel.Settings, "apiBase") ?? DefaultApiBase).TrimEnd('/');
        // A retried group sends its first events again: the dedup_key makes repeats harmless.
        foreach (var one in notice.Group ?? [notice])
        {
            var (path, body) = Render(one, key);
            await HttpDelivery.PostJsonAsync(http, new Uri(apiBase + path), body, clock.GetUtcNow(), ct);
        }
    }

    /// <summary>The path (<c>/v2/enqueue</c> or <c>/v2/change/enqueue</c>) and body for a notice.</summary>
    public static (string Path, JsonObject Body) Render(Notice notice, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var text = NoticeText.From(notice);
        var timestamp = notice.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var details = new JsonObject { ["headline"] = text.Headline };
        foreach (var fact in text.Facts)
        {
            details[fact.Label.ToLowerInvariant().Replace(' ', '_')] = fact.Value;
        }
        var links = new JsonArray();
        if (text.Link is not null)
        {
            links.Add(new JsonObject { ["href"] = text.Link, ["text"] = "Open the monitor in Lifeline" });
        }
        if (!notice.IsDown && !notice.IsUp)
        {
            return ("/v2/change/enqueue", new JsonObject
            {
                ["routing_key"] = routingKey,
                ["payload"] = new JsonObject
                {
                    ["summary"] = NoticeText.Cut($"{text.Title}: {text.Headline}", 1024),
                    ["timestamp"] = timestamp,
                    ["source"] = "lifeline",
                    ["custom_details"] = details,
                },
                ["links"] = links,
            });
        }
        var body = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = notice.IsDown ? "trigger" : "resolve",
            ["dedup_key"] = DedupKey(notice.Monitor.Id),
        };
        if (notice.IsDown)
        {
            // PagerDuty requires a source; a nameless monitor still needs one.
            var source = string.IsNullOrWhiteSpace(notice.Monitor.Name) ? "lifeline" : notice.Monitor.Name;
            body["payload"] = new JsonObject
            {
                ["summary"] = NoticeText.Cut($"{text.Title}: {notice.Reason}".TrimEnd(' ', ':'), 1024),
                ["source"] = source,
                ["severity"] = "critical",
                ["timestamp"] = timestamp,
                ["component"] = source,
                ["class"] = notice.Monitor.Kind,
                ["custom_details"] = details,
            };
            body["client"] = "Lifeline";
            if (text.Link is not null)
            {
                body["client_url"] = text.Link;
            }
            body["links"] = links;
        }
        return ("/v2/enqueue", body);
    }

    /// <summary>One incident per monitor: a trigger and its resolve share this key (at most 255 characters).</summary>
    public static string DedupKey(string monitorId) => NoticeText.Cut($"lifeline-{monitorId}", 255);
}
