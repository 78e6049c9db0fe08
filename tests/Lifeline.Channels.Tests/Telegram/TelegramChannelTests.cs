using System.Text.Json.Nodes;
using Lifeline.Channels.Telegram;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Telegram;

public sealed class TelegramChannelTests() : ChannelTestBase(new Reply(200, """{"ok":true,"result":{"message_id":5}}"""))
{
    [Fact]
    public async Task A_notice_is_posted_to_sendMessage_of_the_bot_as_HTML()
    {
        await Channel().SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/bot123456:ABC-def_1/sendMessage");
        var body = JsonNode.Parse(request.Body)!.AsObject();
        body["chat_id"]!.GetValue<long>().ShouldBe(-1001234567890);
        body["parse_mode"]!.GetValue<string>().ShouldBe("HTML");
        body["disable_web_page_preview"]!.GetValue<bool>().ShouldBeTrue();
        body.ContainsKey("message_thread_id").ShouldBeFalse();
        var text = body["text"]!.GetValue<string>();
        text.ShouldStartWith("\U0001F534 <b>backup-db is DOWN</b>\nDown since 2026-01-05 12:00:00 UTC.");
        text.ShouldContain("<b>Reason:</b> no signal for 20 min");
        text.ShouldContain("<a href=\"http://127.0.0.1:5080/#/monitors/mon_42\">Open the monitor</a>");
    }

    [Fact]
    public async Task A_forum_topic_and_a_channel_name_are_passed_through()
    {
        var settings = Settings();
        settings["chatId"] = "@lifeline_alerts";
        settings["messageThreadId"] = 77;

        await Channel().SendAsync(Notices.Channel("telegram", settings), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!.AsObject();
        body["chat_id"]!.GetValue<string>().ShouldBe("@lifeline_alerts");
        body["message_thread_id"]!.GetValue<long>().ShouldBe(77);
    }

    [Fact]
    public async Task Names_with_markup_characters_are_escaped()
    {
        await Channel().SendAsync(Config(), Notices.Down(name: "<db> & \"co\""), Notices.Delivery(), CancellationToken.None);

        var text = JsonNode.Parse(Server.Requests.Single().Body)!["text"]!.GetValue<string>();
        text.ShouldContain("<b>&lt;db&gt; &amp; &quot;co&quot; is DOWN</b>");
    }

    [Fact]
    public async Task A_huge_notice_is_cut_to_4096_characters_with_its_tags_closed()
    {
        var notice = Notices.Down(reason: new string('<', 900)) with
        {
            Monitor = Notices.Down().Monitor with { Name = new string('&', 3000), LastMessage = new string('>', 900) },
        };

        await Channel().SendAsync(Config(), notice, Notices.Delivery(), CancellationToken.None);

        var text = JsonNode.Parse(Server.Requests.Single().Body)!["text"]!.GetValue<string>();
        text.Length.ShouldBeLessThanOrEqualTo(4096);
        text.ShouldEndWith("\u2026</b>");
        text.ShouldNotContain("&am\u2026");
    }

    [Fact]
    public async Task A_429_reads_retry_after_from_the_parameters()
    {
        Server.Responder = _ => new Reply(429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}""");

        var failure = await Should.ThrowAsync<DeliveryException>(() => Channel().SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.RetryAfter.ShouldBe(TimeSpan.FromSeconds(35));
        failure.Message.ShouldContain("Too Many Requests");
    }

    [Theory]
    [InlineData(400, "Bad Request: chat not found")]
    [InlineData(403, "Forbidden: bot was blocked by the user")]
    [InlineData(404, "Not Found")]
    public async Task Refusals_that_retrying_cannot_fix_are_permanent(int status, string description)
    {
        Server.Responder = _ => new Reply(status, new JsonObject { ["ok"] = false, ["error_code"] = status, ["description"] = description }.ToJsonString());

        var failure = await Should.ThrowAsync<DeliveryException>(() => Channel().SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.Message.ShouldBe($"Telegram answered {status}: {description}");
    }

    [Fact]
    public async Task Failure_messages_never_contain_the_bot_token()
    {
        Server.Responder = r => new Reply(502, $"<html>bad gateway for {r.Path}</html>", ContentType: "text/html");

        var failure = await Should.ThrowAsync<DeliveryException>(() => Channel().SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.Message.ShouldNotContain("ABC-def_1");
        failure.Message.ShouldContain("/bot<bot token>/sendMessage");
    }

    [Fact]
    public async Task Two_notices_to_one_private_chat_are_spaced_a_second_apart()
    {
        var channel = Channel();
        var config = Notices.Channel("telegram", new JsonObject { ["botToken"] = "1:a", ["chatId"] = 42, ["apiBase"] = Server.BaseUri.ToString() });
        await channel.SendAsync(config, Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var second = channel.SendAsync(config, Notices.Up(), Notices.Delivery(), CancellationToken.None);

        second.IsCompleted.ShouldBeFalse();
        Server.Requests.Count.ShouldBe(1);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Two_notices_to_one_group_are_spaced_three_seconds_apart()
    {
        var channel = Channel();
        await channel.SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var second = channel.SendAsync(Config(), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        Clock.Advance(TimeSpan.FromSeconds(2));
        second.IsCompleted.ShouldBeFalse();
        Server.Requests.Count.ShouldBe(1);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public void Validation_names_each_bad_field()
    {
        var errors = Channel().Validate(new JsonObject
        {
            ["botToken"] = "not a token",
            ["chatId"] = "someone",
            ["apiBase"] = "ftp://x",
            ["messageThreadId"] = "abc",
        });

        errors.Count.ShouldBe(4);
        errors[0].ShouldStartWith("'botToken'");
        errors[1].ShouldStartWith("'chatId'");
        errors[2].ShouldStartWith("'apiBase'");
        errors[3].ShouldStartWith("'messageThreadId'");
    }

    [Fact]
    public void Numeric_chat_ids_may_come_as_numbers_or_strings()
    {
        Channel().Validate(new JsonObject { ["botToken"] = "1:a", ["chatId"] = -100123 }).ShouldBeEmpty();
        Channel().Validate(new JsonObject { ["botToken"] = "1:a", ["chatId"] = "-100123" }).ShouldBeEmpty();
    }

    private TelegramChannel Channel() => new(Http, Clock);

    private JsonObject Settings() => new()
    {
        ["botToken"] = "123456:ABC-def_1",
        ["chatId"] = -1001234567890,
        ["apiBase"] = Server.BaseUri.ToString(),
    };

    private ChannelConfig Config() => Notices.Channel("telegram", Settings());
}
