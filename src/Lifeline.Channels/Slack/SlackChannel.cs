using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Slack;

/// <summary>
/// Posts notices to a Slack incoming webhook (setting <c>url</c>) as a text fallback plus Block Kit
/// blocks, spaced about one per second per webhook as Slack asks.
/// </summary>
public sealed class SlackChannel : INoticeChannel
{
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly RateGate _gate;

    /// <param name="perWebhook">Least time between two posts to one webhook [1 s].</param>
    public SlackChannel(HttpClient http, TimeProvider clock, TimeSpan? perWebhook = null)
    {
        _http = http;
        _clock = clock;
        _gate = new RateGate(clock, perWebhook ?? TimeSpan.FromSeconds(1));
    }

    public string Kind => "slack";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        return errors;
    }

    public async Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var url = HttpDelivery.RequiredUrl(channel.Settings, "url");
        var body = Render(NoticeText.From(notice));
        await _gate.WaitAsync(url.AbsoluteUri, ct);
        await HttpDelivery.PostJsonAsync(_http, url, body, _clock.GetUtcNow(), ct);
    }

    /// <summary>The webhook payload: <c>text</c> (shown in notifications) and <c>blocks</c>.</summary>
    public static JsonObject Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var details = new StringBuilder(Escape(text.Headline));
        foreach (var fact in text.Facts)
        {
            details.Append("\n*").Append(Escape(fact.Label)).Append(":* ").Append(Escape(fact.Value));
        }
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = NoticeText.Cut($"{text.Symbol} {text.Title}", 150), ["emoji"] = true },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = NoticeText.Cut(details.ToString(), 3000) },
            },
        };
        if (text.Link is not null)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "button",
                        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Open the monitor" },
                        ["url"] = text.Link,
                    },
                },
            });
        }
        return new JsonObject
        {
            ["text"] = NoticeText.Cut($"{text.Symbol} {text.Title}: {text.Headline}", 3000),
            ["blocks"] = blocks,
        };
    }

    /// <summary>Slack's mrkdwn reserves only these three characters.</summary>
    internal static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
