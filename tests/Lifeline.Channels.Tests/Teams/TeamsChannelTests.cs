using System.Text.Json.Nodes;
using Lifeline.Channels.Teams;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Teams;

public sealed class TeamsChannelTests() : ChannelTestBase(new Reply(202))
{
    [Fact]
    public async Task A_notice_is_posted_as_a_message_with_an_adaptive_card()
    {
        var config = Notices.Channel("teams", new JsonObject { ["url"] = Server.Url("/workflows/abc/triggers/manual/paths/invoke?sig=x") });

        await new TeamsChannel(Http, Clock).SendAsync(config, Notices.Up(), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Query.ShouldBe("?sig=x");
        var body = JsonNode.Parse(request.Body)!;
        body["type"]!.GetValue<string>().ShouldBe("message");
        var attachment = body["attachments"]![0]!;
        attachment["contentType"]!.GetValue<string>().ShouldBe("application/vnd.microsoft.card.adaptive");
        var card = attachment["content"]!;
        card["type"]!.GetValue<string>().ShouldBe("AdaptiveCard");
        card["body"]![0]!["text"]!.GetValue<string>().ShouldBe("\u2705 backup-db is UP again");
        card["body"]![0]!["color"]!.GetValue<string>().ShouldBe("Good");
        card["body"]![2]!["type"]!.GetValue<string>().ShouldBe("FactSet");
        card["actions"]![0]!["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
    }
}
