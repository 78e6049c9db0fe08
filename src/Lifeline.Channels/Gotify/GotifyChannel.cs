using System.Text.Json.Nodes;

namespace Lifeline.Channels.Gotify;

/// <summary>
/// Sends notices to a Gotify server: <c>POST &lt;url&gt;/message</c> with the application
/// <c>token</c> in the <c>X-Gotify-Key</c> header (not in the URL, where logs would keep it) and
/// <c>{title, message, priority, extras}</c>. Priority 8 for down, 4 otherwise.
/// </summary>
public sealed class GotifyChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    public string Kind => "gotify";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        ChannelSettings.RequireString(settings, "token", errors);
        return errors;
    }

    public Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var url = MessageUri(HttpDelivery.RequiredUrl(channel.Settings, "url"));
        var token = ChannelSettings.Required(channel.Settings, "token");
        return HttpDelivery.PostJsonAsync(http, url, Render(NoticeText.From(notice)), clock.GetUtcNow(), ct,
            headers => headers.Add("X-Gotify-Key", token));
    }

    public static JsonObject Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var extras = new JsonObject
        {
            ["client::display"] = new JsonObject { ["contentType"] = "text/plain" },
        };
        if (text.Link is not null)
        {
            extras["client::notification"] = new JsonObject { ["click"] = new JsonObject { ["url"] = text.Link } };
        }
        return new JsonObject
        {
            ["title"] = $"{text.Symbol} {text.Title}",
            ["message"] = text.Body,
            ["priority"] = text.Tone == NoticeTone.Down ? 8 : 4,
            ["extras"] = extras,
        };
    }

    /// <summary>The server URL (with any path prefix) plus <c>/message</c>, unless it already ends so.</summary>
    internal static Uri MessageUri(Uri server)
    {
        var path = server.AbsolutePath.TrimEnd('/');
        return path.EndsWith("/message", StringComparison.OrdinalIgnoreCase) ? new Uri(server, path) : new Uri(server, path + "/message");
    }
}
