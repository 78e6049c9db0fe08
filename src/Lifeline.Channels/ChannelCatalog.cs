using Lifeline.Channels.Discord;
using Lifeline.Channels.Email;
using Lifeline.Channels.Gotify;
using Lifeline.Channels.Ntfy;
using Lifeline.Channels.PagerDuty;
using Lifeline.Channels.Slack;
using Lifeline.Channels.Teams;
using Lifeline.Channels.Telegram;
using Lifeline.Channels.Webhook;

namespace Lifeline.Channels;

/// <summary>Every channel kind Lifeline can send to, built once for the outbox dispatcher and the channel API.</summary>
public static class ChannelCatalog
{
    /// <summary>The kinds <see cref="Create"/> serves, in the order users are shown them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["webhook", "telegram", "email", "slack", "discord", "teams", "ntfy", "gotify", "pagerduty"];

    /// <summary>
    /// An HttpClient fit for channels and the Telegram bot: no logging handlers (bot tokens and
    /// webhook secrets are part of URL paths, which IHttpClientFactory's logging would write out),
    /// pooled connections renewed every 5 minutes so DNS changes are seen, a Lifeline User-Agent,
    /// and the given overall timeout [100 s] (the bot's must exceed its poll timeout).
    /// </summary>
    public static HttpClient CreateHttpClient(TimeSpan? timeout = null, string? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AllowAutoRedirect = false,
        };
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue("Lifeline", version ?? "1.0"));
        return http;
    }

    /// <summary>
    /// One sender per kind. <paramref name="http"/> is shared by the HTTP kinds: give it no retry
    /// handler (the dispatcher retries) and a timeout no shorter than the dispatcher's send timeout.
    /// The senders are thread-safe and meant to live as long as the server (their rate gates are
    /// per instance).
    /// </summary>
    public static IReadOnlyList<INoticeChannel> Create(HttpClient http, TimeProvider clock, SmtpOptions smtp) =>
    [
        new WebhookChannel(http, clock),
        new TelegramChannel(http, clock),
        new EmailChannel(smtp, clock),
        new SlackChannel(http, clock),
        new DiscordChannel(http, clock),
        new TeamsChannel(http, clock),
        new NtfyChannel(http, clock),
        new GotifyChannel(http, clock),
        new PagerDutyChannel(http, clock),
    ];
}
