using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Ntfy;

/// <summary>
/// Publishes notices to ntfy as JSON (<c>POST</c> to the server root with <c>topic</c>, <c>title</c>,
/// <c>message</c>, <c>priority</c>, <c>tags</c>, <c>click</c>), which carries any characters,
/// unlike headers. Settings: <c>url</c> (a topic URL such as https://ntfy.sh/alerts, or the server
/// root together with <c>topic</c>), optional <c>token</c> (an access token, sent as Bearer).
/// </summary>
public sealed class NtfyChannel(HttpClient http, TimeProvider clock) : INoticeChannel
{
    public string Kind => "ntfy";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        ChannelSettings.RequireUrl(settings, "url", errors);
        if (errors.Count > 0)
        {
            return errors;
        }
        var topic = ChannelSettings.String(settings, "topic");
        if (topic is not null && !IsTopic(topic))
        {
            errors.Add("'topic' may hold only letters, digits, '-' and '_' (1 to 64 characters)");
        }
        else if (Target(new Uri(ChannelSettings.String(settings, "url")!), topic) is null)
        {
            errors.Add("'topic' is required when 'url' is the server root (or put the topic at the end of 'url')");
        }
        return errors;
    }

    public Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var settings = channel.Settings;
        var (root, topic) = Target(HttpDelivery.RequiredUrl(settings, "url"), ChannelSettings.String(settings, "topic"))
            ?? throw new DeliveryException("channel setting 'topic' is missing", permanent: true);
        var body = Render(NoticeText.From(notice));
        body["topic"] = topic;
        var token = ChannelSettings.String(settings, "token");
        return HttpDelivery.PostJsonAsync(http, root, body, clock.GetUtcNow(), ct, headers =>
        {
            if (!string.IsNullOrEmpty(token))
            {
                headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
        });
    }

    /// <summary>The publish body without its topic.</summary>
    public static JsonObject Render(NoticeText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = new JsonObject
        {
            ["title"] = text.Title,
            ["message"] = text.Body,
            // ntfy priorities: 5 max/urgent, 3 default.
            ["priority"] = text.Tone == NoticeTone.Down ? 5 : 3,
            ["tags"] = new JsonArray(text.Tone switch { NoticeTone.Down => "rotating_light", NoticeTone.Up => "white_check_mark", _ => "test_tube" }),
        };
        if (text.Link is not null)
        {
            body["click"] = text.Link;
        }
        return body;
    }

    /// <summary>
    /// Where to publish: the server root and the topic. The topic is the explicit setting, else the
    /// last path segment of the URL; null when neither names one.
    /// </summary>
    internal static (Uri Root, string Topic)? Target(Uri url, string? topic)
    {
        var path = url.AbsolutePath.TrimEnd('/');
        if (!string.IsNullOrEmpty(topic))
        {
            return (new Uri(url, path + "/"), topic);
        }
        var slash = path.LastIndexOf('/');
        var last = Uri.UnescapeDataString(path[(slash + 1)..]);
        return IsTopic(last) ? (new Uri(url, path[..(slash + 1)]), last) : null;
    }

    private static bool IsTopic(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
