using System.Text.Json.Nodes;
using Lifeline.Channels.PagerDuty;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.PagerDuty;

public sealed class PagerDutyChannelTests() : ChannelTestBase(new Reply(202, """{"status":"success","message":"Event processed"}"""))
{
    [Fact]
    public async Task Down_triggers_and_up_resolves_with_the_same_dedup_key()
    {
        var channel = new PagerDutyChannel(Http, Clock);

        await channel.SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None);
        await channel.SendAsync(Config(), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        var trigger = JsonNode.Parse(Server.Requests[0].Body)!;
        var resolve = JsonNode.Parse(Server.Requests[1].Body)!;
        Server.Requests.ShouldAllBe(r => r.Path == "/v2/enqueue");
        trigger["routing_key"]!.GetValue<string>().ShouldBe("R0UTING");
        trigger["event_action"]!.GetValue<string>().ShouldBe("trigger");
        trigger["dedup_key"]!.GetValue<string>().ShouldBe("lifeline-mon_42");
        trigger["payload"]!["summary"]!.GetValue<string>().ShouldBe("backup-db is DOWN: no signal for 20 min");
        trigger["payload"]!["severity"]!.GetValue<string>().ShouldBe("critical");
        trigger["payload"]!["source"]!.GetValue<string>().ShouldBe("backup-db");
        trigger["payload"]!["timestamp"]!.GetValue<string>().ShouldBe("2026-01-05T12:00:00.000Z");
        trigger["links"]![0]!["href"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
        resolve["event_action"]!.GetValue<string>().ShouldBe("resolve");
        resolve["dedup_key"]!.GetValue<string>().ShouldBe("lifeline-mon_42");
        resolve.AsObject().ContainsKey("payload").ShouldBeFalse();
    }

    [Fact]
    public async Task A_test_notice_is_a_change_event_that_pages_nobody()
    {
        await new PagerDutyChannel(Http, Clock).SendAsync(Config(), Notices.Test(), Notices.Delivery(), CancellationToken.None);

        var request = Server.Requests.Single();
        request.Path.ShouldBe("/v2/change/enqueue");
        var body = JsonNode.Parse(request.Body)!;
        body["routing_key"]!.GetValue<string>().ShouldBe("R0UTING");
        body["payload"]!["summary"]!.GetValue<string>().ShouldStartWith("Test notice for backup-db");
        body.AsObject().ContainsKey("event_action").ShouldBeFalse();
    }

    private ChannelConfig Config() => Notices.Channel("pagerduty", new JsonObject { ["routingKey"] = "R0UTING", ["apiBase"] = Server.BaseUri.ToString() });
}
