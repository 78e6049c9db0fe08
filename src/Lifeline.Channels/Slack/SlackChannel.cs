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

    /// <summary>
    /// The webhook payload: <c>text</c> (shown in notifications) and <c>blocks</c>. Slack's mrkdwn
    /// has no way to escape <c>*</c>, <c>_</c> or <c>~</c>, so text from the monitor only goes
    /// into <c>plain_text</c> objects and, escaped, into <c>text</c>; mrkdwn carries our labels.
    /// </summary>
    public static JsonObject Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(NoticeText.Cut($"{text.Symbol} {text.Title}", 150)) },
            new JsonObject { ["type"] = "section", ["text"] = PlainText(NoticeText.Cut(text.Headline, 3000)) },
        };
        if (text.Facts.Count > 0)
        {
            // Slack takes at most 10 fields, shown two a row: label, value.
            var fields = new JsonArray();
            foreach (var fact in text.Facts.Take(5))
            {
                fields.Add(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"*{Escape(fact.Label)}*" });
                fields.Add(PlainText(NoticeText.Cut(fact.Value, 2000)));
            }
            blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        }
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
                        ["text"] = PlainText("Open the monitor"),
                        ["url"] = text.Link,
                    },
                },
            });
        }
        return new JsonObject
        {
            // Links and mentions are parsed in text whatever mrkdwn says; Escape keeps them literal.
            ["text"] = NoticeText.Cut(Escape($"{text.Symbol} {text.Title}: {text.Headline}"), 3000),
            ["mrkdwn"] = false,
            ["blocks"] = blocks,
        };
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    /// <summary>
    /// Escapes the three characters Slack reserves in <c>text</c> and mrkdwn, so <c>&lt;https://x|y&gt;</c>
    /// and <c>&lt;!channel&gt;</c> stay literal instead of becoming a link or a mention.
    /// </summary>
    internal static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
