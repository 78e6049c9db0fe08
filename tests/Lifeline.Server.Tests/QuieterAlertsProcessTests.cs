using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>
/// Issue 12 end to end, through the real <c>lifeline serve</c> process on its real clock: a host
/// outage told once with its dependants, a maintenance window that mutes and then alerts, and an
/// acknowledgement. Each step waits for the webhook it expects, never for a fixed time.
/// </summary>
public sealed class QuieterAlertsProcessTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", "quieter-" + Guid.NewGuid().ToString("N"));
    private LifelineProcess _server = null!;
    private RecordingServer _hook = null!;
    private string _channel = null!;

    public async Task InitializeAsync()
    {
        _hook = await RecordingServer.StartAsync();
        _server = await LifelineProcess.StartAsync(Path.Combine(_folder, "data"));
        var channel = await PostAsync("api/v1/channels", new { kind = "webhook", name = "ops", url = _hook.Url("/hook") });
        _channel = channel["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<JsonObject> PostAsync(string path, object body)
    {
        using var response = await _server.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    private async Task<(string Id, string Token)> MonitorAsync(string name, params string[] dependsOn)
    {
        var monitor = await PostAsync("api/v1/monitors", new { name, period = 3600, channels = new[] { _channel }, dependsOn });
        var token = monitor["pushToken"]!.GetValue<string>();
        await PushAsync(token, "up");
        return (monitor["id"]!.GetValue<string>(), token);
    }

    private async Task PushAsync(string token, string status, string msg = "OK")
    {
        using var response = await _server.Anonymous.GetAsync($"api/push/{token}?status={status}&msg={Uri.EscapeDataString(msg)}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<JsonObject> MonitorJsonAsync(string id) => JsonNode.Parse(await _server.Admin.GetStringAsync($"api/v1/monitors/{id}"))!.AsObject();

    private static string Summary(RecordedRequest request)
    {
        var notice = JsonNode.Parse(request.Body)!;
        return $"{notice["type"]} {notice["monitor"]!["name"]}: {notice["reason"]}";
    }

    [Fact]
    public async Task A_host_outage_a_maintenance_window_and_an_acknowledgement_through_the_real_process()
    {
        var agent = await MonitorAsync("agent");
        var webs = new[] { await MonitorAsync("web", agent.Id), await MonitorAsync("api", agent.Id), await MonitorAsync("shop", agent.Id) };
        var db = await MonitorAsync("db");

        // The web check sees the dead host first; the agent's own failure follows seconds later.
        await PushAsync(webs[0].Token, "down", "connection refused");
        var waiting = await MonitorJsonAsync(webs[0].Id);
        await PushAsync(agent.Token, "down", "host unreachable");
        await PushAsync(webs[1].Token, "down", "connection refused");
        var outage = await _hook.WaitForAsync(1);
        var notice = JsonNode.Parse(outage[0].Body)!;

        waiting["awaitingParents"]!.GetValue<bool>().ShouldBeTrue();
        Summary(outage[0]).ShouldBe("monitor.down agent: host unreachable");
        notice["dependants"]!.GetValue<int>().ShouldBe(3);

        // Acknowledged: who and when, on the monitor.
        var acked = await PostAsync($"api/v1/monitors/{agent.Id}/ack", new { by = "alice" });
        acked["acknowledgedBy"]!.GetValue<string>().ShouldBe("alice");

        // A muted window: db goes down inside it and nobody hears; ending it alerts at once.
        var window = await PostAsync("api/v1/maintenance", new { name = "db upgrade", monitors = new[] { db.Id }, manual = true });
        await PushAsync(db.Token, "down", "replica lag");
        (await MonitorJsonAsync(db.Id))["inMaintenance"]!.GetValue<bool>().ShouldBeTrue();
        await PostAsync($"api/v1/maintenance/{window["id"]!.GetValue<string>()}/end", new { });
        var afterWindow = await _hook.WaitForAsync(2);

        // The host returns: its recovery, and the dependants still down alert once each; "shop" never failed.
        await PushAsync(webs[0].Token, "up");
        await PushAsync(agent.Token, "up");
        var all = await _hook.WaitForAsync(4);
        // No wait for stragglers is needed: a channel's notices go out in order, and a notice for
        // web's recovery would have been planned at its push, before the agent's recovery arrived.

        Summary(afterWindow[1]).ShouldBe("monitor.down db: still down after maintenance: replica lag");
        _hook.Requests.Skip(2).Select(Summary).Order().ShouldBe([
            "monitor.down api: still down after agent recovered: connection refused",
            "monitor.up agent: signal received: OK",
        ]);
        all.Count.ShouldBe(4);
        _hook.Requests.Count.ShouldBe(4, "the web check that recovered with its host sends nothing, and shop never failed");
    }
}
