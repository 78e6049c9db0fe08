using System.Text.Json.Nodes;
using Lifeline.Channels.Ntfy;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Ntfy;

public sealed class NtfyChannelTests() : ChannelTestBase
{
    [Fact]
    public async Task A_topic_url_publishes_JSON_to_the_server_root()
    {
        await Channel().SendAsync(Config(new() { ["url"] = Server.Url("/alerts") }), Notices.Down(name: "Ünïcode db"), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Path.ShouldBe("/");
        request.Headers.ContainsKey("authorization").ShouldBeFalse();
        var body = JsonNode.Parse(request.Body)!;
        body["topic"]!.GetValue<string>().ShouldBe("alerts");
        body["title"]!.GetValue<string>().ShouldBe("Ünïcode db is DOWN");
        body["message"]!.GetValue<string>().ShouldStartWith("Down since 2026-01-05 12:00:00 UTC.");
        body["priority"]!.GetValue<int>().ShouldBe(5);
        body["tags"]![0]!.GetValue<string>().ShouldBe("rotating_light");
        body["click"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
    }

    [Fact]
    public async Task A_server_root_with_a_topic_setting_and_a_token_sends_both()
    {
        var settings = new JsonObject { ["url"] = Server.Url("/ntfy/"), ["topic"] = "ops", ["token"] = "tk_secret" };

        await Channel().SendAsync(Config(settings), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Path.ShouldBe("/ntfy/");
        request.Headers["authorization"].ShouldBe("Bearer tk_secret");
        var body = JsonNode.Parse(request.Body)!;
        body["topic"]!.GetValue<string>().ShouldBe("ops");
        body["priority"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public void A_server_root_without_a_topic_is_refused_naming_the_topic()
    {
        var errors = Channel().Validate(new JsonObject { ["url"] = "https://ntfy.sh/" });

        errors.Single().ShouldStartWith("'topic' is required");
    }

    private NtfyChannel Channel() => new(Http, Clock);

    private static ChannelConfig Config(JsonObject settings) => Notices.Channel("ntfy", settings);
}
