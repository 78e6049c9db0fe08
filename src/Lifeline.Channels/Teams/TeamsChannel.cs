using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Teams;

/// <summary>
/// Posts notices to a Microsoft Teams Workflows webhook (setting <c>url</c>) as a message with one
/// Adaptive Card attachment: title, headline, a fact set and a button to the monitor. Cards render
/// Markdown, so text from the monitor is escaped (<see cref="Escape"/>).
/// </summary>
public sealed class TeamsChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    public string Kind => "teams";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        return errors;
    }

    public Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var url = HttpDelivery.RequiredUrl(channel.Settings, "url");
        return HttpDelivery.PostJsonAsync(http, url, Render(NoticeText.From(notice)), clock.GetUtcNow(), ct);
    }

    /// <summary>The Workflows payload: <c>{"type":"message","attachments":[adaptive card]}</c>.</summary>
    public static JsonObject Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var facts = new JsonArray();
        foreach (var fact in text.Facts)
        {
            facts.Add(new JsonObject { ["title"] = Escape(fact.Label), ["value"] = Escape(fact.Value) });
        }
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["text"] = Escape($"{text.Symbol} {text.Title}"),
                    ["weight"] = "Bolder",
                    ["size"] = "Medium",
                    ["color"] = text.Tone switch { NoticeTone.Down => "Attention", NoticeTone.Up => "Good", _ => "Accent" },
                    ["wrap"] = true,
                },
                new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(text.Headline), ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
            },
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        if (text.Link is not null)
        {
            card["actions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open the monitor", ["url"] = text.Link },
            };
        }
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = card,
                },
            },
        };
    }

    /// <summary>
    /// Backslash-escapes the Markdown that Adaptive Card text blocks and facts render (emphasis,
    /// links, code, and list or heading marks at the start of a line), so monitor text shows as
    /// written. Other characters stay bare: not every Teams client drops a needless backslash.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        var lineStart = true;
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '[' or ']' || (lineStart && c is '-' or '+' or '#' or '>'))
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
            lineStart = c == '\n' || (lineStart && c == ' ');
        }
        return escaped.ToString();
    }
}
