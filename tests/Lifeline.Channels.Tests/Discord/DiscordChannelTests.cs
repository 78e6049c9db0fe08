using System.Text.Json.Nodes;
using Lifeline.Channels.Discord;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Discord;

public sealed class DiscordChannelTests() : ChannelTestBase(new Reply(204))
{
    [Fact]
    public async Task A_notice_is_posted_as_content_and_one_embed_without_mentions()
    {
        await new DiscordChannel(Http, Clock).SendAsync(Config(), Notices.Down(name: "@everyone *db*"), Notices.Delivery(), CancellationToken.None);

        var body = JsonNode.Parse(Server.Requests.Single().Body)!;
        Server.Requests.Single().Path.ShouldBe("/api/webhooks/1/tok");
        body["content"]!.GetValue<string>().ShouldBe("\U0001F534 @everyone \\*db\\* is DOWN");
        body["allowed_mentions"]!["parse"]!.AsArray().ShouldBeEmpty();
        var embed = body["embeds"]![0]!;
        embed["title"]!.GetValue<string>().ShouldBe("@everyone \\*db\\* is DOWN");
        embed["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
        embed["timestamp"]!.GetValue<string>().ShouldBe("2026-01-05T12:00:00Z");
        embed["color"]!.GetValue<int>().ShouldBe(0xD83C3E);
        embed["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ShouldContain("Reason");
    }

    [Fact]
    public async Task A_429_reads_retry_after_from_the_JSON_body()
    {
        Server.Responder = _ => new Reply(429, """{"message":"You are being rate limited.","retry_after":2.5,"global":false}""",
            new Dictionary<string, string> { ["Retry-After"] = "3" });

        var failure = await Should.ThrowAsync<DeliveryException>(() => new DiscordChannel(Http, Clock).SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.RetryAfter.ShouldBe(TimeSpan.FromSeconds(2.5));
    }

    private ChannelConfig Config() => Notices.Channel("discord", new JsonObject { ["url"] = Server.Url("/api/webhooks/1/tok") });
}
