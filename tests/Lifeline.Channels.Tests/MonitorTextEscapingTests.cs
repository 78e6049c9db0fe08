using System.Text;
using System.Text.Json.Nodes;
using Lifeline.Channels.Discord;
using Lifeline.Channels.Email;
using Lifeline.Channels.Gotify;
using Lifeline.Channels.Ntfy;
using Lifeline.Channels.PagerDuty;
using Lifeline.Channels.Slack;
using Lifeline.Channels.Teams;
using Lifeline.Channels.Telegram;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;
using MimeKit;

namespace Lifeline.Channels.Tests;

/// <summary>
/// Text a monitor supplies (its name, the <c>msg</c> of a push) must show as written in every
/// channel's format: never a link, a mention or markup. Each test reads what the receiver got.
/// </summary>
public sealed class MonitorTextEscapingTests() : ChannelTestBase(new Reply(200, """{"ok":true,"result":{}}"""))
{
    private const string Name = "db <!channel> <https://evil.example|x> *bold*";
    private const string Msg = "[click](https://evil.example) <https://evil.example|y> <!here> @everyone *bold* <b>tag</b>";

    private static Notice Hostile()
    {
        var notice = Notices.Down(name: Name);
        return notice with { Monitor = notice.Monitor with { LastMessage = Msg } };
    }

    [Fact]
    public async Task Slack_keeps_links_and_mentions_literal_in_the_fallback_text_and_shows_monitor_text_as_plain_text()
    {
        await new SlackChannel(Http, Clock).SendAsync(Config("slack"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!;
        body["text"]!.GetValue<string>().ShouldStartWith("\U0001F534 db &lt;!channel&gt; &lt;https://evil.example|x&gt; *bold* is DOWN");
        body["mrkdwn"]!.GetValue<bool>().ShouldBeFalse();
        var texts = TextObjects(body["blocks"]!).ToList();
        texts.Where(t => t.Type == "mrkdwn").ShouldAllBe(t => !t.Text.Contains("evil") && !t.Text.Contains('<') && !t.Text.Contains("bold"));
        texts.ShouldContain(("plain_text", Msg));
        texts.ShouldContain(("plain_text", $"\U0001F534 {Name} is DOWN"));
    }

    [Fact]
    public async Task Teams_escapes_the_card_Markdown_in_the_title_and_the_facts()
    {
        await new TeamsChannel(Http, Clock).SendAsync(Config("teams"), Hostile() with
        {
            Monitor = Hostile().Monitor with { Name = "db [x](https://evil.example) *bold*" },
        }, Notices.Delivery(), CancellationToken.None);

        var card = JsonNode.Parse(Server.Requests.Single().Body)!["attachments"]![0]!["content"]!;
        card["body"]![0]!["text"]!.GetValue<string>().ShouldBe("\U0001F534 db \\[x\\](https://evil.example) \\*bold\\* is DOWN");
        var facts = card["body"]![2]!["facts"]!.AsArray().ToDictionary(f => f!["title"]!.GetValue<string>(), f => f!["value"]!.GetValue<string>());
        facts["Last message"].ShouldBe("\\[click\\](https://evil.example) <https://evil.example|y> <!here> @everyone \\*bold\\* <b>tag</b>");
    }

    [Fact]
    public void Teams_escapes_list_and_heading_marks_only_at_the_start_of_a_line() =>
        TeamsChannel.Escape("- a-b\n# c#d\\e").ShouldBe("\\- a-b\n\\# c#d\\\\e");

    [Fact]
    public async Task Discord_escapes_Markdown_in_the_embed_title_and_fields_and_mentions_nobody()
    {
        await new DiscordChannel(Http, Clock).SendAsync(Config("discord"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!;
        body["allowed_mentions"]!["parse"]!.AsArray().ShouldBeEmpty();
        var embed = body["embeds"]![0]!;
        embed["title"]!.GetValue<string>().ShouldBe("db <!channel\\> <https://evil.example\\|x\\> \\*bold\\* is DOWN");
        var lastMessage = embed["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "Last message")!["value"]!.GetValue<string>();
        lastMessage.ShouldStartWith("\\[click\\](https://evil.example)");
        lastMessage.ShouldContain("\\*bold\\*");
    }

    [Fact]
    public async Task Telegram_escapes_HTML_so_the_only_link_is_the_monitor()
    {
        await new TelegramChannel(Http, Clock).SendAsync(Config("telegram"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var text = JsonNode.Parse(Server.Requests.Single().Body)!["text"]!.GetValue<string>();
        text.ShouldContain("&lt;b&gt;tag&lt;/b&gt;");
        text.ShouldContain("&lt;https://evil.example|x&gt;");
        text.Split("<a ").Length.ShouldBe(2);
        text.ShouldContain("<a href=\"http://127.0.0.1:5080/#/monitors/mon_42\">");
    }

    [Fact]
    public async Task Email_escapes_HTML_so_the_only_link_is_the_monitor()
    {
        await using var smtp = SmtpTestServer.Start();
        var options = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, From = "alerts@example.com", TlsMode = SmtpTlsMode.None };
        var config = Notices.Channel("email", new JsonObject { ["to"] = new JsonArray("ops@example.com") });

        await new EmailChannel(options, Clock).SendAsync(config, Hostile(), Notices.Delivery(), CancellationToken.None);

        var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(smtp.Sessions.Single().Data!)));
        mail.Subject.ShouldBe($"\U0001F534 {Name} is DOWN");
        mail.TextBody!.ShouldContain("Last message: " + Msg);
        var html = mail.HtmlBody!;
        html.ShouldContain("&lt;b&gt;tag&lt;/b&gt;");
        html.ShouldNotContain("<b>tag");
        html.Split("<a ").Length.ShouldBe(2);
    }

    [Fact]
    public async Task Ntfy_sends_the_text_as_written_without_turning_Markdown_on()
    {
        await new NtfyChannel(Http, Clock).SendAsync(Config("ntfy"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!.AsObject();
        body.ContainsKey("markdown").ShouldBeFalse();
        body.ContainsKey("actions").ShouldBeFalse();
        body["title"]!.GetValue<string>().ShouldBe($"{Name} is DOWN");
        body["message"]!.GetValue<string>().ShouldContain("Last message: " + Msg);
    }

    [Fact]
    public async Task Gotify_sends_the_text_as_written_and_asks_for_plain_display()
    {
        await new GotifyChannel(Http, Clock).SendAsync(Config("gotify"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!;
        body["extras"]!["client::display"]!["contentType"]!.GetValue<string>().ShouldBe("text/plain");
        body["message"]!.GetValue<string>().ShouldContain("Last message: " + Msg);
    }

    [Fact]
    public async Task PagerDuty_carries_the_text_as_written_in_plain_fields()
    {
        await new PagerDutyChannel(Http, Clock).SendAsync(Config("pagerduty"), Hostile(), Notices.Delivery(), CancellationToken.None);

        var payload = JsonNode.Parse(Server.Requests.Single().Body)!["payload"]!;
        payload["source"]!.GetValue<string>().ShouldBe(Name);
        payload["custom_details"]!["last_message"]!.GetValue<string>().ShouldBe(Msg);
    }

    /// <summary>Every Block Kit text object in the blocks, as (type, text).</summary>
    private static IEnumerable<(string Type, string Text)> TextObjects(JsonNode node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() is "mrkdwn" or "plain_text" && o["text"] is JsonValue text => [(o["type"]!.GetValue<string>(), text.GetValue<string>())],
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : TextObjects(p.Value)),
        JsonArray a => a.SelectMany(n => n is null ? [] : TextObjects(n)),
        _ => [],
    };

    private ChannelConfig Config(string kind)
    {
        var root = Server.BaseUri.ToString().TrimEnd('/');
        JsonObject settings = kind switch
        {
            "telegram" => new() { ["botToken"] = "123:ABC", ["chatId"] = 42, ["apiBase"] = root },
            "gotify" => new() { ["url"] = root, ["token"] = "app-token" },
            "pagerduty" => new() { ["routingKey"] = "R0UTINGKEY", ["apiBase"] = root },
            "ntfy" => new() { ["url"] = root + "/alerts" },
            _ => new() { ["url"] = root + "/hook" },
        };
        return Notices.Channel(kind, settings);
    }
}
