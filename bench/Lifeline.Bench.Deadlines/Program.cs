// Deadline benchmark: with N push monitors loaded in a real `lifeline serve`, how long after a
// missed deadline does the down notice reach a webhook, and how much memory does the server use?
//
//   dotnet run -c Release --project bench/Lifeline.Bench.Deadlines -- <path to lifeline.dll> [monitors=100000] [probes=200]
//
// The loaded monitors get one push each and a one-hour period (they stay up, their deadlines sit
// in the index). The probe monitors have a 5 s period and a webhook channel; each gets one push
// at a staggered time and then silence. Latency = notice arrival - (last signal + period).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var lifelineDll = args.Length > 0 ? Path.GetFullPath(args[0]) : throw new ArgumentException("usage: <path to lifeline.dll> [monitors] [probes]");
var monitors = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var probes = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200;
var clock = TimeProvider.System;
const string Key = "bench-admin-key-0123456789";
var probePeriod = TimeSpan.FromSeconds(5);

// The webhook receiver: records when each down notice arrives.
var arrivals = new ConcurrentBag<(DateTimeOffset At, string Body)>();
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var receiver = builder.Build();
receiver.MapPost("/hook", async (HttpRequest request) =>
{
    var body = await new StreamReader(request.Body).ReadToEndAsync();
    arrivals.Add((clock.GetUtcNow(), body));
    return Results.Ok();
});
await receiver.StartAsync();
var hookUrl = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

// The server under test.
var data = Directory.CreateTempSubdirectory("lifeline-bench-");
var port = 5190;
var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in (string[])[lifelineDll, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", data.FullName])
{
    info.ArgumentList.Add(a);
}
info.Environment["LIFELINE_API_KEY"] = Key;
using var server = Process.Start(info)!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, _) => { };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
for (var i = 0; ; i++)
{
    try
    {
        if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
        {
            break;
        }
    }
    catch (HttpRequestException) when (i < 300)
    {
    }
    await Task.Delay(100);
}

var channel = JsonNode.Parse(await (await http.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "bench", url = hookUrl })).Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

async Task<string> CreateAndPush(object body)
{
    var created = JsonNode.Parse(await (await http.PostAsJsonAsync("api/v1/monitors", body)).Content.ReadAsStringAsync())!;
    var token = created["pushToken"]!.GetValue<string>();
    (await http.PostAsync($"api/push/{token}", null)).EnsureSuccessStatusCode();
    return token;
}

var load = Stopwatch.StartNew();
var next = 0;
await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) <= monitors)
    {
        await CreateAndPush(new { name = $"loaded-{i:D6}", period = 3600 });
        if (i % 20_000 == 0)
        {
            Console.WriteLine($"  {i} monitors loaded ({load.Elapsed.TotalSeconds:0} s)");
        }
    }
}));
Console.WriteLine($"{monitors} monitors created and pushed in {load.Elapsed.TotalSeconds:0} s");

// Probes: one push each, spread over 10 s, then silence.
var probeStart = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, probes).Select(async i =>
{
    await Task.Delay(TimeSpan.FromMilliseconds(10_000.0 * i / probes));
    await CreateAndPush(new { name = $"probe-{i:D4}", period = probePeriod.TotalSeconds, channels = new[] { channel } });
}));
var waitUntil = Stopwatch.StartNew();
while (arrivals.Count < probes && waitUntil.Elapsed < TimeSpan.FromSeconds(60))
{
    await Task.Delay(200);
}

var latencies = arrivals
    .Select(a => (a.At, Notice: JsonNode.Parse(a.Body)!))
    .Where(a => a.Notice["type"]!.GetValue<string>() == "monitor.down")
    .Select(a => (a.At - (DateTimeOffset.Parse(a.Notice["monitor"]!["lastSignalAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) + probePeriod)).TotalMilliseconds)
    .Order()
    .ToList();
var status = File.ReadAllLines($"/proc/{server.Id}/status");
string Field(string name) => status.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(':')[1].Trim();
double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
Console.WriteLine($"down notices: {latencies.Count} of {probes}");
Console.WriteLine($"deadline -> webhook latency: median {Percentile(0.5):0} ms, p90 {Percentile(0.9):0} ms, p99 {Percentile(0.99):0} ms, max {latencies.LastOrDefault():0} ms");
Console.WriteLine($"server memory with {monitors + probes} monitors: RSS {Field("VmRSS")}, peak {Field("VmHWM")}");
Console.WriteLine($"database: {new FileInfo(Path.Combine(data.FullName, "lifeline.db")).Length / 1024 / 1024} MB");

server.Kill();
await server.WaitForExitAsync();
await receiver.StopAsync();
data.Delete(recursive: true);
