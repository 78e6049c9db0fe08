using System.Text.Json.Nodes;
using Lifeline.Channels.Slack;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Slack;

public sealed class SlackChannelTests() : ChannelTestBase(new Reply(200, "ok", ContentType: "text/plain"))
{
    [Fact]
    public async Task A_notice_is_posted_as_text_and_blocks()
    {
        await new SlackChannel(Http, Clock).SendAsync(Config(), Notices.Down(name: "a<b>&c"), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Path.ShouldBe("/services/T000/B000/XXXX");
        var body = JsonNode.Parse(request.Body)!;
        body["text"]!.GetValue<string>().ShouldStartWith("\U0001F534 a&lt;b&gt;&amp;c is DOWN: Down since");
        var blocks = body["blocks"]!.AsArray();
        blocks[0]!["type"]!.GetValue<string>().ShouldBe("header");
        blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("\U0001F534 a<b>&c is DOWN");
        blocks[1]!["text"]!["text"]!.GetValue<string>().ShouldBe("Down since 2026-01-05 12:00:00 UTC.");
        var fields = blocks[2]!["fields"]!.AsArray();
        (fields[0]!["type"]!.GetValue<string>(), fields[0]!["text"]!.GetValue<string>()).ShouldBe(("mrkdwn", "*Reason*"));
        (fields[1]!["type"]!.GetValue<string>(), fields[1]!["text"]!.GetValue<string>()).ShouldBe(("plain_text", "no signal for 20 min"));
        blocks[3]!["elements"]![0]!["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
    }

    [Fact]
    public async Task Posts_to_one_webhook_are_spaced_a_second_apart()
    {
        var channel = new SlackChannel(Http, Clock);
        await channel.SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var second = channel.SendAsync(Config(), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        second.IsCompleted.ShouldBeFalse();
        Clock.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Server.Requests.Count.ShouldBe(2);
    }

    private ChannelConfig Config() => Notices.Channel("slack", new JsonObject { ["url"] = Server.Url("/services/T000/B000/XXXX") });
}
