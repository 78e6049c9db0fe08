using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>dependsOn and acknowledgement through the whole server, with a real webhook receiver.</summary>
public sealed class DependencyApiTests : IAsyncLifetime
{
    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;
    private string _channel = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync();
        _receiver = await RecordingServer.StartAsync();
        _channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"), "whsec_c2VjcmV0");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<(string Id, string Token)> PushMonitorAsync(string name, params string[] dependsOn)
    {
        var monitor = await _app.CreateMonitorAsync(new { name, period = 60, channels = new[] { _channel }, dependsOn });
        var token = monitor["pushToken"]!.GetValue<string>();
        (await _app.Anonymous.GetAsync($"api/push/{token}")).EnsureSuccessStatusCode();
        return (monitor["id"]!.GetValue<string>(), token);
    }

    private async Task PushAsync(string token, string status, string msg = "") =>
        (await _app.Anonymous.GetAsync($"api/push/{token}?status={status}&msg={Uri.EscapeDataString(msg)}")).EnsureSuccessStatusCode();

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Field(RecordedRequest r, string name) => JsonNode.Parse(r.Body)![name]!.ToString();

    [Fact]
    public async Task A_host_outage_sends_one_webhook_naming_its_dependants_and_those_still_down_alert_when_it_recovers()
    {
        var agent = await PushMonitorAsync("agent");
        var webs = new List<(string Id, string Token)>();
        for (var i = 0; i < 3; i++)
        {
            webs.Add(await PushMonitorAsync($"web{i}", agent.Id));
        }

        await PushAsync(agent.Token, "down", "host unreachable");
        foreach (var web in webs)
        {
            await PushAsync(web.Token, "down", "connection refused");
        }
        var outage = await _receiver.WaitForAsync(1);
        await _app.SendsSettledAsync();
        var held = await _app.GetJsonAsync($"api/v1/monitors/{webs[2].Id}");
        var heldIncident = (await _app.GetArrayAsync($"api/v1/monitors/{webs[2].Id}/incidents")).Single()!;
        await PushAsync(webs[0].Token, "up");
        await PushAsync(agent.Token, "up");
        await _app.Service<DependencySweep>().SweepOnceAsync(CancellationToken.None);
        var all = await _receiver.WaitForAsync(4);
        await _app.SendsSettledAsync();

        outage.Count.ShouldBe(1);
        var notice = JsonNode.Parse(outage[0].Body)!;
        notice["monitor"]!["name"]!.GetValue<string>().ShouldBe("agent");
        notice["dependants"]!.GetValue<int>().ShouldBe(3);
        held["suppressedBy"]!.GetValue<string>().ShouldBe("agent");
        held["dependsOn"]!.AsArray().Single()!.GetValue<string>().ShouldBe(agent.Id);
        heldIncident["suppressedBy"]!.GetValue<string>().ShouldBe("agent");
        heldIncident["reason"]!.GetValue<string>().ShouldBe("connection refused (suppressed by agent)");
        _receiver.Requests.Count.ShouldBe(4);
        all.Skip(1).Select(r => $"{Field(r, "type")} {JsonNode.Parse(r.Body)!["monitor"]!["name"]}").Order()
            .ShouldBe(["monitor.down web1", "monitor.down web2", "monitor.up agent"]);
    }

    [Fact]
    public async Task A_dependant_failing_seconds_before_its_parent_is_told_only_in_the_parents_notice()
    {
        var agent = await PushMonitorAsync("agent");
        var web = await PushMonitorAsync("web", agent.Id);

        await PushAsync(web.Token, "down", "connection refused");
        await _app.SweepAsync();
        await _app.Service<DependencySweep>().SweepOnceAsync(CancellationToken.None);
        var waiting = await _app.GetJsonAsync($"api/v1/monitors/{web.Id}");
        _app.Clock.Advance(TimeSpan.FromSeconds(4));
        await PushAsync(agent.Token, "down", "host unreachable");
        await _app.Service<DependencySweep>().SweepOnceAsync(CancellationToken.None);
        var outage = await _receiver.WaitForAsync(1);
        await _app.SendsSettledAsync();
        var held = await _app.GetJsonAsync($"api/v1/monitors/{web.Id}");

        waiting["status"]!.GetValue<string>().ShouldBe("down");
        waiting["awaitingParents"]!.GetValue<bool>().ShouldBeTrue();
        waiting["suppressedBy"].ShouldBeNull();
        _receiver.Requests.Count.ShouldBe(1);
        var notice = JsonNode.Parse(outage[0].Body)!;
        notice["monitor"]!["name"]!.GetValue<string>().ShouldBe("agent");
        notice["dependants"]!.GetValue<int>().ShouldBe(1);
        notice["dependantsDown"]!.GetValue<int>().ShouldBe(1);
        held["awaitingParents"]!.GetValue<bool>().ShouldBeFalse();
        held["suppressedBy"]!.GetValue<string>().ShouldBe("agent");
        (await _app.GetArrayAsync($"api/v1/monitors/{web.Id}/incidents")).Single()!["suppressedBy"]!.GetValue<string>().ShouldBe("agent");
    }

    [Fact]
    public async Task Unknown_parents_and_cycles_are_refused_with_400_naming_dependsOn()
    {
        var agent = await PushMonitorAsync("agent");
        var web = await PushMonitorAsync("web", agent.Id);

        var unknown = await SendAsync(_app.Admin, HttpMethod.Post, "api/v1/monitors", new { name = "x", dependsOn = new[] { "nope" } });
        var notList = await SendAsync(_app.Admin, HttpMethod.Post, "api/v1/monitors", new { name = "x", dependsOn = "nope" });
        var cycle = await SendAsync(_app.Admin, HttpMethod.Patch, $"api/v1/monitors/{agent.Id}", new { dependsOn = new[] { web.Id } });
        var self = await SendAsync(_app.Admin, HttpMethod.Patch, $"api/v1/monitors/{agent.Id}", new { dependsOn = new[] { agent.Id } });
        var cleared = await SendAsync(_app.Admin, HttpMethod.Patch, $"api/v1/monitors/{web.Id}", new { dependsOn = Array.Empty<string>() });

        unknown.Status.ShouldBe(HttpStatusCode.BadRequest);
        unknown.Body!["error"]!.GetValue<string>().ShouldBe("dependsOn: no monitor with id 'nope'");
        notList.Status.ShouldBe(HttpStatusCode.BadRequest);
        notList.Body!["error"]!.GetValue<string>().ShouldBe("dependsOn must be an array of strings");
        cycle.Status.ShouldBe(HttpStatusCode.BadRequest);
        cycle.Body!["error"]!.GetValue<string>().ShouldBe("dependsOn: cycle agent -> web -> agent");
        self.Body!["error"]!.GetValue<string>().ShouldBe("dependsOn: cycle agent -> agent");
        cleared.Status.ShouldBe(HttpStatusCode.OK);
        cleared.Body!["dependsOn"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Ack_records_who_and_when_on_the_monitor_and_its_incident()
    {
        var backup = await PushMonitorAsync("backup");
        var noIncident = await SendAsync(_app.Admin, HttpMethod.Post, $"api/v1/monitors/{backup.Id}/ack");
        var missing = await SendAsync(_app.Admin, HttpMethod.Post, "api/v1/monitors/nope/ack");
        await PushAsync(backup.Token, "down", "disk full");

        var byKey = await SendAsync(_app.Admin, HttpMethod.Post, $"api/v1/monitors/{backup.Id}/ack");
        var byName = await SendAsync(_app.Admin, HttpMethod.Post, $"api/v1/monitors/{backup.Id}/ack", new { by = "alice" });
        var badBy = await SendAsync(_app.Admin, HttpMethod.Post, $"api/v1/monitors/{backup.Id}/ack", new { by = 3 });
        using var readOnly = await ReadOnlyClientAsync();
        var forbidden = await SendAsync(readOnly, HttpMethod.Post, $"api/v1/monitors/{backup.Id}/ack");

        noIncident.Status.ShouldBe(HttpStatusCode.Conflict);
        noIncident.Body!["error"]!.GetValue<string>().ShouldContain("no open incident");
        missing.Status.ShouldBe(HttpStatusCode.NotFound);
        byKey.Status.ShouldBe(HttpStatusCode.OK);
        byKey.Body!["acknowledgedBy"]!.GetValue<string>().ShouldBe("LIFELINE_API_KEY");
        byName.Body!["acknowledgedBy"]!.GetValue<string>().ShouldBe("alice");
        byName.Body!["acknowledgedAt"]!.GetValue<string>().ShouldBe(LifelineAppTime(_app.Clock.GetUtcNow()));
        badBy.Status.ShouldBe(HttpStatusCode.BadRequest);
        badBy.Body!["error"]!.GetValue<string>().ShouldStartWith("by must be");
        forbidden.Status.ShouldBe(HttpStatusCode.Forbidden);
        var incident = (await _app.GetArrayAsync($"api/v1/monitors/{backup.Id}/incidents")).Single()!;
        incident["acknowledgedBy"]!.GetValue<string>().ShouldBe("alice");
    }

    private static string LifelineAppTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HttpClient> ReadOnlyClientAsync()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "grafana", readOnly = true });
        var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
        return client;
    }
}
