// Takeover benchmark: two real `lifeline serve` nodes on one PostgreSQL database, N probe push
// monitors with a webhook channel, one push each, then silence; one node is killed with
// SIGKILL just before the first deadline. For the probes in the shards the killed node held
// (read from the leases table right before the kill), how late does the down notice come,
// counted from the kill or from the deadline, whichever is later? And how long after the kill
// does the survivor's /healthz show all 64 shards?
//
//   dotnet Lifeline.Bench.Takeover.dll <path to lifeline.dll> --postgres <admin connection string>
//       [--rounds 5] [--probes 200] [--period 20] [--spread 15] [--kill-before 0.5] [--channels each|one] [--results <file>] [--port 5191]
//
// --postgres names a server where databases may be created (one per round, dropped after).
// Probe i is pushed at spread * i / probes seconds; its deadline is that push + period (grace 0),
// so the deadlines spread over `spread` seconds; the kill comes `kill-before` seconds before the
// first deadline. Node settings are the defaults (lease 10 s, check-in every 2 s) unless
// Lifeline__ClusterLeaseSeconds / Lifeline__ClusterCheckInSeconds are set in the environment.
// --details <file>: one CSV line per probe and round (its node, deadline and alert relative to the kill).
// --channels: by default each probe has a webhook channel of its own (all to the same receiver).
// A channel delivers its notices one at a time, in order, so with one channel for all probes the
// notices that come due together at the takeover queue behind each other, and the figure would be
// that queue rather than the takeover; `one` measures exactly that.
// bench/takeover.sh starts a throwaway PostgreSQL cluster and runs this.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

var positional = new List<string>();
var named = new Dictionary<string, string>(StringComparer.Ordinal);
for (var a = 0; a < args.Length; a++)
{
    if (args[a].StartsWith("--", StringComparison.Ordinal))
    {
        named[args[a]] = a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value");
    }
    else
    {
        positional.Add(args[a]);
    }
}
const string Usage = "usage: <path to lifeline.dll> --postgres <admin conn> [--rounds 5] [--probes 200] [--period 20] [--spread 15] [--kill-before 0.5] [--channels each|one] [--results <file>] [--port 5191]";
var lifelineDll = positional.Count > 0 ? Path.GetFullPath(positional[0]) : throw new ArgumentException(Usage);
var admin = named.GetValueOrDefault("--postgres") ?? throw new ArgumentException(Usage);
double Number(string name, double fallback) => named.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
var rounds = (int)Number("--rounds", 5);
var probes = (int)Number("--probes", 200);
var period = TimeSpan.FromSeconds(Number("--period", 20));
var spread = TimeSpan.FromSeconds(Number("--spread", 15));
var killBefore = TimeSpan.FromSeconds(Number("--kill-before", 0.5));
var basePort = (int)Number("--port", 5191);
var resultsFile = named.GetValueOrDefault("--results");
var channelPerProbe = named.GetValueOrDefault("--channels", "each") switch
{
    "each" => true,
    "one" => false,
    _ => throw new ArgumentException("--channels is each or one"),
};
var clock = TimeProvider.System;
const string Key = "bench-admin-key-0123456789";

// The webhook receiver: every notice with its arrival time and webhook-id.
var arrivals = new ConcurrentQueue<(DateTimeOffset At, string Id, JsonNode Body)>();
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var receiver = builder.Build();
receiver.MapPost("/hook", async (HttpRequest request) =>
{
    var body = await new StreamReader(request.Body).ReadToEndAsync();
    arrivals.Enqueue((clock.GetUtcNow(), request.Headers["webhook-id"].ToString(), JsonNode.Parse(body)!));
    return Results.Ok();
});
await receiver.StartAsync();
var hookUrl = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

var summaries = new List<Round>();
for (var round = 1; round <= rounds; round++)
{
    arrivals.Clear();
    var database = $"bench_takeover_{round}_{Environment.ProcessId}";
    await AdminSqlAsync($"CREATE DATABASE {database}");
    var connection = new NpgsqlConnectionStringBuilder(admin) { Database = database, Pooling = false }.ConnectionString;
    var folder = Directory.CreateTempSubdirectory("lifeline-takeover-");
    var a = Node.Start(lifelineDll, basePort, Path.Combine(folder.FullName, "a"), connection, Key);
    var b = Node.Start(lifelineDll, basePort + 1, Path.Combine(folder.FullName, "b"), connection, Key);
    try
    {
        await a.WaitHealthyAsync();
        await b.WaitHealthyAsync();
        // Both nodes checked in and split the shards (32 each with the defaults).
        var split = Stopwatch.StartNew();
        while (await a.ShardsAsync() + await b.ShardsAsync() != 64 || await a.ShardsAsync() == 64 || await b.ShardsAsync() == 64)
        {
            if (split.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException("the two nodes did not split the shards within 60 s");
            }
            await Task.Delay(200);
        }

        var shared = channelPerProbe ? null : (await PostAsync(a.Http, "api/v1/channels", new { kind = "webhook", name = "bench", url = hookUrl }))["id"]!.GetValue<string>();
        var made = await Task.WhenAll(Enumerable.Range(0, probes).Select(async i =>
        {
            var http = i % 2 == 0 ? a.Http : b.Http;
            var channel = shared ?? (await PostAsync(http, "api/v1/channels", new { kind = "webhook", name = $"bench-{i:D4}", url = hookUrl }))["id"]!.GetValue<string>();
            var m = await PostAsync(http, "api/v1/monitors", new { name = $"probe-{i:D4}", period = period.TotalSeconds, grace = 0, channels = new[] { channel } });
            return (Id: m["id"]!.GetValue<string>(), Token: m["pushToken"]!.GetValue<string>());
        }));

        // One push each, spread over `spread`, alternating nodes; then silence.
        var start = Stopwatch.StartNew();
        var pushes = Task.WhenAll(made.Select(async (m, i) =>
        {
            await Task.Delay(spread * i / probes);
            using var response = await (i % 2 == 0 ? a.Http : b.Http).PostAsync($"api/push/{m.Token}", null);
            response.EnsureSuccessStatusCode();
        }));
        await Task.Delay(period - killBefore - start.Elapsed);
        // Which shards b holds, as the database says just before the kill.
        var bNode = await b.NodeIdAsync();
        var bShards = new HashSet<int>();
        var shardOf = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var db = new NpgsqlConnection(connection))
        {
            await db.OpenAsync();
            await using (var leases = new NpgsqlCommand("SELECT name FROM leases WHERE holder = @h AND name LIKE 'shard:%'", db))
            {
                leases.Parameters.AddWithValue("h", bNode);
                await using var r = await leases.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    bShards.Add(int.Parse(r.GetString(0).AsSpan(6), CultureInfo.InvariantCulture));
                }
            }
            await using (var shards = new NpgsqlCommand("SELECT id, shard FROM monitors", db))
            {
                await using var r = await shards.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    shardOf[r.GetString(0)] = r.GetInt16(1);
                }
            }
        }
        await pushes;
        var killedAt = clock.GetUtcNow();
        b.KillHard();

        // The survivor takes every shard.
        TimeSpan? allShards = null;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (allShards is null && await a.ShardsAsync() == 64)
            {
                allShards = clock.GetUtcNow() - killedAt;
            }
            var alerted = arrivals.Where(x => x.Body["type"]!.GetValue<string>() == "monitor.down").Select(x => x.Body["monitor"]!["id"]!.GetValue<string>()).Distinct().Count();
            if (allShards is not null && alerted >= probes)
            {
                break;
            }
            await Task.Delay(100);
        }
        // Let a doubled notice arrive before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));

        var downs = arrivals.Where(x => x.Body["type"]!.GetValue<string>() == "monitor.down").ToList();
        var perMonitor = downs.GroupBy(x => x.Body["monitor"]!["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var details = new System.Text.StringBuilder();
        var lateOfB = new List<double>();
        var dueBeforeTakeover = new List<double>();
        var ofA = new List<double>();
        var missing = 0;
        var doubled = 0;
        foreach (var m in made)
        {
            if (!perMonitor.TryGetValue(m.Id, out var notices))
            {
                missing++;
                continue;
            }
            if (notices.Select(n => n.Id).Distinct().Count() > 1)
            {
                doubled++;
            }
            var first = notices.MinBy(n => n.At);
            var deadline = DateTimeOffset.Parse(first.Body["monitor"]!["lastSignalAt"]!.GetValue<string>(), CultureInfo.InvariantCulture) + period;
            var from = deadline > killedAt ? deadline : killedAt;
            var late = (first.At - from).TotalSeconds;
            details.Append(CultureInfo.InvariantCulture, $"{round},{m.Id},{(bShards.Contains(shardOf[m.Id]) ? "killed" : "survivor")},{(deadline - killedAt).TotalSeconds:0.000},{(first.At - killedAt).TotalSeconds:0.000},{late:0.000}\n");
            if (bShards.Contains(shardOf[m.Id]))
            {
                lateOfB.Add(late);
                if (allShards is { } t && deadline < killedAt + t)
                {
                    dueBeforeTakeover.Add(late);
                }
            }
            else
            {
                ofA.Add(late);
            }
        }
        var result = new Round(round, allShards?.TotalSeconds ?? double.NaN, lateOfB.Count, dueBeforeTakeover.Count,
            Median(dueBeforeTakeover), lateOfB.Count == 0 ? double.NaN : lateOfB.Max(), Median(lateOfB), Median(ofA), missing, doubled);
        summaries.Add(result);
        if (named.GetValueOrDefault("--details") is { } detailsFile)
        {
            if (!File.Exists(detailsFile))
            {
                await File.WriteAllTextAsync(detailsFile, "round,monitor,node,deadline_after_kill_s,alert_after_kill_s,lateness_s\n");
            }
            await File.AppendAllTextAsync(detailsFile, details.ToString());
        }
        Console.WriteLine(result.Describe());
        if (resultsFile is not null)
        {
            await File.AppendAllTextAsync(resultsFile, result.Describe() + "\n");
        }
    }
    finally
    {
        a.KillHard();
        b.KillHard();
        await Task.WhenAll(a.WaitExitAsync(), b.WaitExitAsync());
        await AdminSqlAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        folder.Delete(recursive: true);
    }
}

var summary = string.Create(CultureInfo.InvariantCulture,
    $"medians over {summaries.Count} rounds ({probes} probes, {(channelPerProbe ? "a channel each" : "one channel")}, period {period.TotalSeconds:0} s, deadlines over {spread.TotalSeconds:0} s from {killBefore.TotalSeconds:0.0} s after the kill): " +
    $"kill -> survivor holds 64 shards {Median(summaries.Select(s => s.AllShardsS)):0.0} s; " +
    $"worst lateness of the killed node's monitors {Median(summaries.Select(s => s.MaxLateS)):0.0} s (max of rounds {summaries.Max(s => s.MaxLateS):0.0} s); " +
    $"median lateness of those due before the takeover {Median(summaries.Select(s => s.MedianDueBeforeS)):0.0} s; " +
    $"of the survivor's own monitors {Median(summaries.Select(s => s.MedianOfAS)) * 1000:0} ms; " +
    $"missing alerts {summaries.Sum(s => s.Missing)}, monitors with two webhook-ids {summaries.Sum(s => s.Doubled)}");
Console.WriteLine(summary);
if (resultsFile is not null)
{
    await File.AppendAllTextAsync(resultsFile, summary + "\n");
}
await receiver.StopAsync();

async Task AdminSqlAsync(string sql)
{
    await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString);
    await db.OpenAsync();
    await using var command = new NpgsqlCommand(sql, db);
    await command.ExecuteNonQueryAsync();
}

static async Task<JsonObject> PostAsync(HttpClient http, string path, object body)
{
    using var response = await http.PostAsJsonAsync(path, body);
    var text = await response.Content.ReadAsStringAsync();
    return response.IsSuccessStatusCode ? JsonNode.Parse(text)!.AsObject() : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>One round's figures, in seconds.</summary>
internal sealed record Round(int Number, double AllShardsS, int OfB, int DueBeforeTakeover, double MedianDueBeforeS, double MaxLateS, double MedianLateOfBS, double MedianOfAS, int Missing, int Doubled)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"round {Number}: kill -> 64 shards on the survivor {AllShardsS:0.00} s; killed node's monitors {OfB} " +
        $"(due before the takeover {DueBeforeTakeover}, their median lateness {MedianDueBeforeS:0.00} s); " +
        $"worst lateness {MaxLateS:0.00} s, median {MedianLateOfBS:0.00} s; survivor's own monitors median {MedianOfAS * 1000:0} ms; " +
        $"missing {Missing}, doubled {Doubled}");
}

/// <summary>One `lifeline serve` process.</summary>
internal sealed class Node
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private Node(Process process, int port, string key)
    {
        _process = process;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public HttpClient Http { get; }

    public static Node Start(string dll, int port, string data, string connection, string key)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[dll, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", data, "--postgres", connection])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["LIFELINE_API_KEY"] = key;
        var process = Process.Start(info)!;
        var node = new Node(process, port, key);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Keep(string? line)
    {
        if (line is not null && _log.Count < 500)
        {
            _log.Enqueue(line);
        }
    }

    public async Task WaitHealthyAsync()
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new InvalidOperationException("a node did not start:\n" + string.Join('\n', _log));
            }
            try
            {
                using var response = await Http.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
    }

    private async Task<JsonNode> ClusterAsync() =>
        JsonNode.Parse(await Http.GetStringAsync("healthz"))!["checks"]!["cluster"]!;

    public async Task<int> ShardsAsync() => (await ClusterAsync())["shards"]!.GetValue<int>();

    public async Task<string> NodeIdAsync() => (await ClusterAsync())["node"]!.GetValue<string>();

    public void KillHard()
    {
        if (!_process.HasExited)
        {
            // SIGKILL on Linux: no clean stop, the leases stay until they expire.
            _process.Kill();
        }
    }

    public Task WaitExitAsync() => _process.WaitForExitAsync();
}
