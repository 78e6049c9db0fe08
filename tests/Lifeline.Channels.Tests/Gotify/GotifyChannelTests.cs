using System.Text.Json.Nodes;
using Lifeline.Channels.Gotify;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Gotify;

public sealed class GotifyChannelTests() : ChannelTestBase
{
    [Fact]
    public async Task A_notice_is_posted_to_message_with_the_token_in_a_header()
    {
        var config = Notices.Channel("gotify", new JsonObject { ["url"] = Server.Url("/gotify"), ["token"] = "AbCdEf" });

        await new GotifyChannel(Http, Clock).SendAsync(config, Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Path.ShouldBe("/gotify/message");
        request.Query.ShouldBeEmpty();
        request.Headers["x-gotify-key"].ShouldBe("AbCdEf");
        var body = JsonNode.Parse(request.Body)!;
        body["title"]!.GetValue<string>().ShouldBe("\U0001F534 backup-db is DOWN");
        body["message"]!.GetValue<string>().ShouldContain("Reason: no signal for 20 min");
        body["priority"]!.GetValue<int>().ShouldBe(8);
        body["extras"]!["client::notification"]!["click"]!["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
    }

    [Fact]
    public void A_missing_token_is_reported_by_name() =>
        new GotifyChannel(Http, Clock).Validate(new JsonObject { ["url"] = "https://push.example.com" }).Single().ShouldStartWith("'token'");
}
