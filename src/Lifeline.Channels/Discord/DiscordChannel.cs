using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Discord;

/// <summary>
/// Posts notices to a Discord webhook (setting <c>url</c>) as a short <c>content</c> line and one
/// embed. A 429 answer's <c>retry_after</c> (seconds, in the JSON body) becomes the retry wait.
/// Mentions are switched off so a monitor name cannot ping <c>@everyone</c>.
/// </summary>
public sealed class DiscordChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    public string Kind => "discord";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        return errors;
    }

    public Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(notice);
        var url = HttpDelivery.RequiredUrl(channel.Settings, "url");
        return HttpDelivery.PostJsonAsync(http, url, Render(NoticeText.From(notice), notice.At), clock.GetUtcNow(), ct,
            retryAfterInBody: HttpDelivery.RetryAfterField);
    }

    /// <summary>The webhook payload: <c>content</c>, one embed, no mentions.</summary>
    public static JsonObject Render(NoticeText text, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new JsonArray();
        foreach (var fact in text.Facts.Take(25))
        {
            fields.Add(new JsonObject
            {
                ["name"] = NoticeText.Cut(Escape(fact.Label), 256),
                ["value"] = NoticeText.Cut(Escape(fact.Value), 1024),
                ["inline"] = false,
            });
        }
        var embed = new JsonObject
        {
            ["title"] = NoticeText.Cut(Escape(text.Title), 256),
            ["description"] = NoticeText.Cut(Escape(text.Headline), 4096),
            ["color"] = text.Tone switch { NoticeTone.Down => 0xD83C3E, NoticeTone.Up => 0x2EB67D, _ => 0x3B82F6 },
            ["timestamp"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["fields"] = fields,
        };
        if (text.Link is not null)
        {
            embed["url"] = text.Link;
        }
        return new JsonObject
        {
            ["content"] = NoticeText.Cut(Escape($"{text.Symbol} {text.Title}"), 2000),
            ["embeds"] = new JsonArray { embed },
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
    }

    /// <summary>Backslash-escapes Discord's markdown characters so names show as written.</summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '>' or '#' or '[' or ']')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
