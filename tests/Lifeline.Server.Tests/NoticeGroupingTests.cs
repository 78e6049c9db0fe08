using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>
/// Notice grouping through the whole server on the manual clock, with real receivers: a storm of
/// downs (or ups) to one channel goes as one notice, a lone notice at once.
/// </summary>
public sealed class NoticeGroupingTests : IAsyncLifetime
{
    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync();
        _receiver = await RecordingServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<string> ChannelAsync(string kind, string path, int? groupSeconds = null)
    {
        var body = new JsonObject { ["kind"] = kind, ["name"] = path.Trim('/'), ["url"] = _receiver.Url(path) };
        if (groupSeconds is { } seconds)
        {
            body["groupSeconds"] = seconds;
        }
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/channels", body);
        var json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, json);
        return JsonNode.Parse(json)!["id"]!.GetValue<string>();
    }

    /// <summary>Push monitors (period 60 s, no grace), each heard from once.</summary>
    private async Task<List<(string Id, string Token)>> MonitorsAsync(int count, params string[] channels)
    {
        var monitors = new List<(string Id, string Token)>();
        for (var i = 0; i < count; i++)
        {
            var monitor = await _app.CreateMonitorAsync(new { name = $"job{i:00}", period = 60, channels });
            var token = monitor["pushToken"]!.GetValue<string>();
            (await _app.Anonymous.GetAsync($"api/push/{token}")).EnsureSuccessStatusCode();
            monitors.Add((monitor["id"]!.GetValue<string>(), token));
        }
        return monitors;
    }

    /// <summary>Moves past every deadline: one sweep flips all the monitors down together.</summary>
    private async Task AllMissTheirDeadlineAsync()
    {
        _app.Clock.Advance(TimeSpan.FromSeconds(61));
        await _app.SweepAsync();
        await _app.SweepAsync();
    }

    private IReadOnlyList<RecordedRequest> At(string path) => [.. _receiver.Requests.Where(r => r.Path == path)];

    private static JsonNode Body(RecordedRequest request) => JsonNode.Parse(request.Body)!;

    /// <summary>Waits for the receiver, and for the sends to settle, so a count read now is final until the clock moves.</summary>
    private async Task<IReadOnlyList<RecordedRequest>> SettledAsync(int count)
    {
        await _receiver.WaitForAsync(count);
        await _app.SendsSettledAsync();
        await Task.Delay(300);
        await _app.SendsSettledAsync();
        return _receiver.Requests;
    }

    /// <summary>
    /// Moves the clock, then a second at a time until the receiver has <paramref name="count"/>
    /// requests: a dispatch pass woken on the way may read the time before the clock reaches its
    /// target, and then waits for a poll timer that only the next move fires.
    /// </summary>
    private async Task AdvanceUntilAsync(TimeSpan by, int count)
    {
        _app.Clock.Advance(by);
        for (var i = 0; i < 100 && _receiver.Requests.Count < count; i++)
        {
            await Task.Delay(50);
            if (_receiver.Requests.Count < count)
            {
                _app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    [Fact]
    public async Task Fifty_simultaneous_downs_send_one_grouped_notice_per_grouping_channel_and_webhooks_keep_one_per_monitor()
    {
        var discord = await ChannelAsync("discord", "/discord");
        var hook = await ChannelAsync("webhook", "/hook");
        var groupedHook = await ChannelAsync("webhook", "/hook-grouped", groupSeconds: 10);
        var teamsOff = await ChannelAsync("teams", "/teams", groupSeconds: 0);
        var monitors = await MonitorsAsync(50, discord, hook, groupedHook, teamsOff);

        await AllMissTheirDeadlineAsync();
        await SettledAsync(1 + 50 + 1 + 50);

        At("/discord").Count.ShouldBe(1);
        var embed = Body(At("/discord")[0])["embeds"]![0]!;
        embed["title"]!.GetValue<string>().ShouldBe("50 monitors DOWN");
        embed["description"]!.GetValue<string>().ShouldContain("job00, job01");
        embed["description"]!.GetValue<string>().ShouldEndWith("and 40 more.");
        At("/hook").Count.ShouldBe(50);
        At("/hook").Select(r => Body(r)["type"]!.GetValue<string>()).Distinct().ShouldBe(["monitor.down"]);
        At("/hook").Select(r => r.Headers["webhook-id"]).Distinct().Count().ShouldBe(50);
        At("/hook-grouped").Count.ShouldBe(1);
        var grouped = Body(At("/hook-grouped")[0]);
        grouped["type"]!.GetValue<string>().ShouldBe("monitors.down");
        grouped["count"]!.GetValue<int>().ShouldBe(50);
        grouped["notices"]!.AsArray().Select(n => n!["monitor"]!["id"]!.GetValue<string>()).Order()
            .ShouldBe(monitors.Select(m => m.Id).Order());
        At("/teams").Count.ShouldBe(50);

        // The recoveries: the first goes at once, the rest wait out the window and go as one.
        (await _app.Anonymous.GetAsync($"api/push/{monitors[0].Token}")).EnsureSuccessStatusCode();
        await SettledAsync(102 + 1 + 1 + 1 + 1);
        foreach (var monitor in monitors.Skip(1))
        {
            (await _app.Anonymous.GetAsync($"api/push/{monitor.Token}")).EnsureSuccessStatusCode();
        }
        await SettledAsync(106 + 49 + 49);
        var beforeWindow = (Discord: At("/discord").Count, Grouped: At("/hook-grouped").Count);
        await AdvanceUntilAsync(TimeSpan.FromSeconds(10), 204 + 2);
        await SettledAsync(204 + 2);

        beforeWindow.ShouldBe((2, 2));
        At("/discord").Count.ShouldBe(3);
        Body(At("/discord")[2])["embeds"]![0]!["title"]!.GetValue<string>().ShouldBe("49 monitors UP again");
        At("/hook-grouped").Count.ShouldBe(3);
        Body(At("/hook-grouped")[2])["type"]!.GetValue<string>().ShouldBe("monitors.up");
        Body(At("/hook-grouped")[2])["count"]!.GetValue<int>().ShouldBe(49);
        At("/hook").Count.ShouldBe(100);
        At("/teams").Count.ShouldBe(100);
        _receiver.Requests.Count.ShouldBe(206);
    }

    [Fact]
    public async Task A_lone_down_goes_out_at_once_and_the_next_within_the_window_waits_for_its_end()
    {
        var discord = await ChannelAsync("discord", "/discord");
        var monitors = await MonitorsAsync(3, discord);

        (await _app.Anonymous.GetAsync($"api/push/{monitors[0].Token}?status=down&msg=disk")).EnsureSuccessStatusCode();
        var lone = await SettledAsync(1);
        _app.Clock.Advance(TimeSpan.FromSeconds(4));
        (await _app.Anonymous.GetAsync($"api/push/{monitors[1].Token}?status=down&msg=cpu")).EnsureSuccessStatusCode();
        var withinWindow = await SettledAsync(1);
        await AdvanceUntilAsync(TimeSpan.FromSeconds(6), 2);
        var afterWindow = await SettledAsync(2);
        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        (await _app.Anonymous.GetAsync($"api/push/{monitors[2].Token}?status=down&msg=net")).EnsureSuccessStatusCode();
        var later = await SettledAsync(3);

        lone.Count.ShouldBe(1);
        Body(lone[0])["embeds"]![0]!["title"]!.GetValue<string>().ShouldBe("job00 is DOWN");
        withinWindow.Count.ShouldBe(1);
        afterWindow.Count.ShouldBe(2);
        Body(afterWindow[1])["embeds"]![0]!["title"]!.GetValue<string>().ShouldBe("job01 is DOWN");
        later.Count.ShouldBe(3);
        Body(later[2])["embeds"]![0]!["title"]!.GetValue<string>().ShouldBe("job02 is DOWN");
    }

    [Fact]
    public async Task A_group_whose_send_fails_is_retried_as_one_and_delivered_once()
    {
        var discord = await ChannelAsync("discord", "/discord");
        var monitors = await MonitorsAsync(5, discord);
        var calls = 0;
        _receiver.Responder = _ => Interlocked.Increment(ref calls) == 1 ? new Reply(503, "{}") : new Reply(204);

        await AllMissTheirDeadlineAsync();
        var failed = await SettledAsync(1);
        await AdvanceUntilAsync(TimeSpan.FromSeconds(5), 2);
        var retried = await SettledAsync(2);
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        await SettledAsync(2);
        var deliveries = await _app.GetArrayAsync($"api/v1/channels/{discord}/deliveries");

        failed.Count.ShouldBe(1);
        retried.Count.ShouldBe(2);
        _receiver.Requests.Count.ShouldBe(2);
        Body(retried[1])["embeds"]![0]!["title"]!.GetValue<string>().ShouldBe("5 monitors DOWN");
        deliveries.Count.ShouldBe(10);
        deliveries.Count(d => d!["ok"]!.GetValue<bool>()).ShouldBe(5);
        deliveries.Where(d => d!["ok"]!.GetValue<bool>()).Select(d => d!["monitor"]!.GetValue<string>()).Order()
            .ShouldBe(monitors.Select((_, i) => $"job{i:00}"));
        (await _app.Service<IOutboxStore>().PendingCountAsync(CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task A_bad_groupSeconds_is_refused_with_400_naming_it()
    {
        using var negative = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "discord", url = _receiver.Url("/d"), groupSeconds = -1 });
        using var text = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "discord", url = _receiver.Url("/d"), groupSeconds = "soon" });
        var id = await ChannelAsync("discord", "/d");
        using var patch = await _app.Admin.PatchAsJsonAsync($"api/v1/channels/{id}", new { groupSeconds = 99999 });

        negative.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await negative.Content.ReadAsStringAsync()).ShouldContain("groupSeconds");
        text.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        patch.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await patch.Content.ReadAsStringAsync()).ShouldContain("groupSeconds");
    }
}
