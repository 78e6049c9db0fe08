using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>
/// Two real <c>lifeline serve</c> nodes on one real PostgreSQL, pushes over both, monitors going
/// silent, then <c>kill -9</c> of one node: nothing acknowledged is lost, every silent monitor
/// alerts once per channel (one webhook-id), no kept-alive monitor alerts.
/// </summary>
public sealed class ClusterProcessTests : IAsyncLifetime
{
    private const int Period = 6;
    private const int Grace = 2;

    private readonly TempFolder _temp = new();
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _temp.Dispose();
    }

    private Task<LifelineProcess> StartNodeAsync(string name) =>
        LifelineProcess.StartAsync(Path.Combine(_temp.Path, name), null, "--postgres", _database.ConnectionString);

    private static async Task<JsonObject> PostAsync(HttpClient admin, string path, object body)
    {
        using var response = await admin.PostAsJsonAsync(path, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private sealed record Watched(string Id, string Name, string Token);

    [Fact]
    public async Task Killing_one_of_two_nodes_loses_no_acknowledged_push_and_every_silent_monitor_alerts_exactly_once()
    {
        await using var receiver = await RecordingServer.StartAsync();
        await using var a = await StartNodeAsync("a");
        await using var b = await StartNodeAsync("b");
        var nodes = JsonNode.Parse(await a.Admin.GetStringAsync("api/v1/status"))!["nodes"]!.AsArray();
        nodes.Count.ShouldBe(2);

        var channel = (await PostAsync(a.Admin, "api/v1/channels", new { kind = "webhook", name = "hook", url = receiver.Url("/hook") }))["id"]!.GetValue<string>();
        async Task<List<Watched>> CreateAsync(string prefix, int count)
        {
            var made = new List<Watched>();
            for (var i = 0; i < count; i++)
            {
                // Made on either node: any node takes admin calls.
                var admin = i % 2 == 0 ? a.Admin : b.Admin;
                var m = await PostAsync(admin, "api/v1/monitors", new { name = $"{prefix}-{i:00}", period = Period, grace = Grace, channels = new[] { channel } });
                made.Add(new Watched(m["id"]!.GetValue<string>(), m["name"]!.GetValue<string>(), m["pushToken"]!.GetValue<string>()));
            }
            return made;
        }
        var silent = await CreateAsync("silent", 24);
        var kept = await CreateAsync("kept", 24);

        // Every push answered 200 is recorded here, with its unique message.
        var acknowledged = new ConcurrentBag<(string MonitorId, string Msg)>();
        var sequence = 0;
        async Task PushAsync(LifelineProcess node, Watched monitor)
        {
            var msg = $"p{Interlocked.Increment(ref sequence)}";
            try
            {
                using var response = await node.Anonymous.GetAsync($"api/push/{monitor.Token}?status=up&msg={msg}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add((monitor.Id, msg));
                }
            }
            catch (HttpRequestException)
            {
                // The killed node: not acknowledged, so nothing is owed.
            }
        }

        // Load over both nodes: every monitor, several rounds.
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(silent.Concat(kept).Select((m, i) => PushAsync(i % 2 == round % 2 ? a : b, m)));
        }
        var lastSilentPush = Stopwatch.StartNew();

        // Keep the kept monitors alive through both nodes, then through a alone once b is killed.
        using var stopKeeping = new CancellationTokenSource();
        var bAlive = true;
        var keeping = Task.Run(async () =>
        {
            var round = 0;
            while (!stopKeeping.IsCancellationRequested)
            {
                await Task.WhenAll(kept.Select((m, i) => PushAsync(bAlive && (i + round) % 2 == 1 ? b : a, m)));
                round++;
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(1));
        bAlive = false;
        await b.KillHardAsync();
        var killedAt = lastSilentPush.Elapsed;

        // Every silent monitor alerts: half of them were b's to sweep.
        var deadline = TimeSpan.FromSeconds(Period + Grace);
        IReadOnlyList<RecordedRequest> Downs() => [.. receiver.Requests.Where(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>() == "monitor.down")];
        var alertsAt = new ConcurrentDictionary<string, TimeSpan>();
        await Eventually.GetAsync(() =>
        {
            foreach (var r in Downs())
            {
                alertsAt.TryAdd(JsonNode.Parse(r.Body)!["monitor"]!["id"]!.GetValue<string>(), lastSilentPush.Elapsed);
            }
            return Task.FromResult(silent.All(m => alertsAt.ContainsKey(m.Id)));
        }, all => all, TimeSpan.FromSeconds(60));
        // Let any duplicate or stray notice arrive before counting.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stopKeeping.CancelAsync();
        await keeping;

        var downs = Downs();
        foreach (var m in silent)
        {
            var ids = downs.Where(r => JsonNode.Parse(r.Body)!["monitor"]!["id"]!.GetValue<string>() == m.Id).Select(r => r.Headers["webhook-id"]).Distinct().ToList();
            ids.Count.ShouldBe(1, $"{m.Name} alerts once (a resend keeps its webhook-id)");
        }
        downs.ShouldNotContain(r => kept.Any(k => r.Body.Contains(k.Id, StringComparison.Ordinal)), "a kept-alive monitor never alerts");
        // Takeover within 15 s of the kill: the latest alert came at most that long after both the deadline and the kill.
        var latest = alertsAt.Values.Max();
        (latest - (killedAt > deadline ? killedAt : deadline)).ShouldBeLessThan(TimeSpan.FromSeconds(15 + 5), $"latest alert {latest.TotalSeconds:0.0} s after the last push; kill at {killedAt.TotalSeconds:0.0} s");

        // Every acknowledged push is stored, whichever node took it.
        foreach (var group in acknowledged.GroupBy(p => p.MonitorId))
        {
            var events = JsonNode.Parse(await a.Admin.GetStringAsync($"api/v1/monitors/{group.Key}/events?limit=1000"))!.AsArray();
            var stored = events.Select(e => e!["msg"]?.GetValue<string>()).ToHashSet();
            group.Select(p => p.Msg).Where(msg => !stored.Contains(msg)).ShouldBeEmpty($"pushes acknowledged for {group.Key} but not stored");
        }

        // The survivor lists the killed node as gone once its check-in is old.
        var afterKill = JsonNode.Parse(await a.Admin.GetStringAsync("api/v1/status"))!["nodes"]!.AsArray();
        afterKill.Count(n => n!["status"]!.GetValue<string>() == "up").ShouldBe(1);
    }
}
