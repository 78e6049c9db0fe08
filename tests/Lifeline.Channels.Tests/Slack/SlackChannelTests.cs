using System.Text.Json.Nodes;
using Lifeline.Channels.Slack;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Slack;

public sealed class SlackChannelTests : IAsyncLifetime, IDisposable
{
    private readonly ManualClock _clock = new(Notices.At);
    private readonly HttpClient _http = new();
    private RecordingServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RecordingServer.StartAsync();
        _server.Responder = _ => new Reply(200, "ok", ContentType: "text/plain");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_notice_is_posted_as_text_and_blocks()
    {
        await new SlackChannel(_http, _clock).SendAsync(Config(), Notices.Down(name: "a<b>&c"), Notices.Delivery(), CancellationToken.None);

        var request = _server.Requests.Single();
        request.Path.ShouldBe("/services/T000/B000/XXXX");
        var body = JsonNode.Parse(request.Body)!;
        body["text"]!.GetValue<string>().ShouldStartWith("\U0001F534 a<b>&c is DOWN: Down since");
        var blocks = body["blocks"]!.AsArray();
        blocks[0]!["type"]!.GetValue<string>().ShouldBe("header");
        blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("\U0001F534 a<b>&c is DOWN");
        blocks[1]!["text"]!["type"]!.GetValue<string>().ShouldBe("mrkdwn");
        blocks[1]!["text"]!["text"]!.GetValue<string>().ShouldContain("*Reason:* no signal for 20 min");
        blocks[2]!["elements"]![0]!["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
    }

    [Fact]
    public async Task Posts_to_one_webhook_are_spaced_a_second_apart()
    {
        var channel = new SlackChannel(_http, _clock);
        await channel.SendAsync(Config(), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var second = channel.SendAsync(Config(), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        second.IsCompleted.ShouldBeFalse();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        _server.Requests.Count.ShouldBe(2);
    }

    private ChannelConfig Config() => Notices.Channel("slack", new JsonObject { ["url"] = _server.Url("/services/T000/B000/XXXX") });
}
