#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// The remote probes' benchmark (issue #13), driven by bench/probes.sh. Four jobs, one per mode:
//
//   dotnet run probes.cs -- target <port>
//       a tiny Kestrel app answering every GET with 200 {"status":"UP"}: the checks' target
//   dotnet run probes.cs -- seed <base-url> <api key> <count> <target-url> <ids file> <location id>...
//       creates <count> http monitors (interval 60, [STATUS] == 200) checked from those locations
//   dotnet run probes.cs -- lag <base-url> <api key> <ids file> <location id> <from> <to> [sample=200]
//       reads the events of a sample of monitors: results stored per monitor per minute in [from, to),
//       and how late each check started after its slot on the probe's grid
//   dotnet run probes.cs -- ingest <base-url> <api key> [--probes 10] [--locations 10] [--monitors 2000]
//       [--seconds 30] [--batch 500] [--push-concurrency 64] [--server-pid PID]
//       enrols the probes, then acts as all of them at once, each posting result batches back to back,
//       then pushes /api/push/<token>?status=up as fast as the server takes them, on the same server
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

var inv = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "target":
        return await TargetAsync(int.Parse(args[1], inv));
    case "seed":
        return await SeedAsync(args[1], args[2], int.Parse(args[3], inv), args[4], args[5], args[6..]);
    case "lag":
        return await LagAsync(args[1], args[2], args[3], args[4], DateTimeOffset.Parse(args[5], inv), DateTimeOffset.Parse(args[6], inv),
            args.Length > 7 ? int.Parse(args[7], inv) : 200);
    case "ingest":
        return await IngestAsync(args[1], args[2], args[3..]);
    default:
        Console.Error.WriteLine("usage: probes.cs target|seed|lag|ingest ... (see the top of the file)");
        return 2;
}

static async Task<int> TargetAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    builder.Logging.ClearProviders();
    var app = builder.Build();
    var body = "{\"status\":\"UP\"}"u8.ToArray();
    app.MapGet("/{**path}", async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body);
    });
    await app.RunAsync();
    return 0;
}

static HttpClient Admin(string baseUrl, string key)
{
    var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(120) };
    http.DefaultRequestHeaders.Authorization = new("Bearer", key);
    return http;
}

static async Task<string[]> CreateMonitorsAsync(HttpClient http, int count, Func<int, object> body)
{
    var ids = new string[count];
    await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        using var response = await http.PostAsJsonAsync("api/v1/monitors", body(i), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/monitors: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        ids[i] = json["id"]!.GetValue<string>() + (json["pushToken"] is { } token ? " " + token.GetValue<string>() : "");
    });
    return ids;
}

static async Task<int> SeedAsync(string baseUrl, string key, int count, string target, string idsFile, string[] locations)
{
    using var http = Admin(baseUrl, key);
    var clock = Stopwatch.StartNew();
    var ids = await CreateMonitorsAsync(http, count, i => new
    {
        name = $"check-{i:00000}",
        kind = "http",
        target = $"{target.TrimEnd('/')}/m/{i}",
        interval = 60,
        conditions = new[] { "[STATUS] == 200" },
        locations,
    });
    await File.WriteAllLinesAsync(idsFile, ids);
    Console.WriteLine($"   created {count} http monitors in {clock.Elapsed.TotalSeconds:0.0} s");
    return 0;
}

// The slot a check was due at on the probe's grid: the same phase as the probe's CheckSchedule
// (FNV-1a of the id modulo the interval, from the Unix epoch), the latest slot at or before its start.
static DateTimeOffset SlotBefore(string id, TimeSpan interval, DateTimeOffset start)
{
    var hash = 14695981039346656037UL;
    foreach (var b in Encoding.UTF8.GetBytes(id))
    {
        hash = (hash ^ b) * 1099511628211UL;
    }
    var phase = TimeSpan.FromMilliseconds((long)(hash % (ulong)interval.TotalMilliseconds)).Ticks;
    var since = start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - phase;
    var k = since >= 0 ? since / interval.Ticks : -((-since + interval.Ticks - 1) / interval.Ticks);
    return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + phase + k * interval.Ticks, TimeSpan.Zero);
}

static async Task<int> LagAsync(string baseUrl, string key, string idsFile, string location, DateTimeOffset from, DateTimeOffset to, int sample)
{
    using var http = Admin(baseUrl, key);
    var ids = (await File.ReadAllLinesAsync(idsFile)).Select(l => l.Split(' ')[0]).Where(l => l.Length > 0).ToArray();
    var step = Math.Max(1, ids.Length / sample);
    var picked = ids.Where((_, i) => i % step == 0).Take(sample).ToArray();
    var lags = new ConcurrentBag<double>();
    var counts = new ConcurrentBag<int>();
    var failed = 0;
    await Parallel.ForEachAsync(picked, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
    {
        var events = JsonNode.Parse(await http.GetStringAsync($"api/v1/monitors/{id}/events?limit=100", ct))!;
        var list = events as JsonArray ?? events["items"] as JsonArray ?? [];
        var n = 0;
        foreach (var e in list)
        {
            if (e?["type"]?.GetValue<string>() != "check" || e["location"]?.GetValue<string>() != location || e["result"]?.GetValue<string>() == "unknown")
            {
                continue;
            }
            var at = DateTimeOffset.Parse(e["at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            if (at < from || at >= to)
            {
                continue;
            }
            n++;
            if (e["ok"]?.GetValue<bool>() != true)
            {
                Interlocked.Increment(ref failed);
            }
            // A result's time is when the check ended; it started its duration earlier.
            var started = at.AddMilliseconds(-(e["durationMs"]?.GetValue<long>() ?? 0));
            lags.Add((started - SlotBefore(id, TimeSpan.FromSeconds(60), started)).TotalMilliseconds);
        }
        counts.Add(n);
    });
    var minutes = (to - from).TotalMinutes;
    var sorted = lags.Order().ToList();
    double P(double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"   {picked.Length} sampled monitors: {counts.Sum() / (picked.Length * minutes):0.00} results stored per monitor per minute (1.00 expected), {failed} failed; " +
        $"check start after its slot: p50 {P(0.5):0} ms, p99 {P(0.99):0} ms, max {(sorted.Count == 0 ? double.NaN : sorted[^1]):0} ms"));
    return 0;
}

static async Task<int> IngestAsync(string baseUrl, string key, string[] options)
{
    int Option(string name, int fallback)
    {
        var i = Array.IndexOf(options, name);
        return i >= 0 ? int.Parse(options[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
    var probes = Option("--probes", 10);
    var locationCount = Math.Min(probes, Option("--locations", 10));
    var monitorCount = Option("--monitors", 2000);
    var seconds = Option("--seconds", 30);
    var batchSize = Option("--batch", 500);
    var pushConcurrency = Option("--push-concurrency", 64);
    var serverPid = Option("--server-pid", 0);
    using var http = Admin(baseUrl, key);

    // Locations, and probes enrolled in them round robin.
    var clock = Stopwatch.StartNew();
    var tokens = new List<(string Id, string Token)>();
    for (var l = 0; l < locationCount; l++)
    {
        using var response = await http.PostAsJsonAsync("api/v1/locations", new { name = $"region-{l + 1}" });
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        tokens.Add((json["id"]!.GetValue<string>(), json["enrollToken"]!.GetValue<string>()));
    }
    var credentials = new string[probes];
    for (var p = 0; p < probes; p++)
    {
        var l = p % locationCount;
        if (p >= locationCount)
        {
            // A location's token is used once: ask for another for each further probe.
            using var again = await http.PostAsync($"api/v1/locations/{tokens[l].Id}/enroll-token", null);
            again.EnsureSuccessStatusCode();
            tokens[l] = (tokens[l].Id, JsonNode.Parse(await again.Content.ReadAsStringAsync())!["enrollToken"]!.GetValue<string>());
        }
        using var enrolled = await http.PostAsJsonAsync("api/v1/probe/enroll", new { token = tokens[l].Token, name = $"probe-{p + 1}" });
        enrolled.EnsureSuccessStatusCode();
        credentials[p] = JsonNode.Parse(await enrolled.Content.ReadAsStringAsync())!["credential"]!.GetValue<string>();
    }
    var locationIds = tokens.Select(t => t.Id).ToArray();
    var checks = (await CreateMonitorsAsync(http, monitorCount, i => new
    {
        name = $"remote-{i:00000}",
        kind = "http",
        target = $"http://127.0.0.1:9/m/{i}",
        interval = 60,
        conditions = new[] { "[STATUS] == 200" },
        locations = locationIds,
    })).ToArray();
    var pushTokens = (await CreateMonitorsAsync(http, monitorCount, i => new { name = $"push-{i:00000}", period = 3600 }))
        .Select(l => l.Split(' ')[1]).ToArray();
    Console.WriteLine($"   {locationCount} locations, {probes} probes enrolled, {monitorCount} http monitors checked from every location and {monitorCount} push monitors, in {clock.Elapsed.TotalSeconds:0.0} s");

    var probeRun = await RunAsync($"{probes} probes posting batches of {batchSize} results", probes, seconds, serverPid,
        worker => new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60), DefaultRequestHeaders = { Authorization = new("Probe", credentials[worker]) } },
        async (client, worker, n, ct) =>
        {
            var body = Batch($"bench-{worker}-{n}-{Guid.NewGuid():N}", checks, (worker * 7919 + n * batchSize) % checks.Length, batchSize, DateTimeOffset.UtcNow);
            using var response = await client.PostAsync("api/v1/probe/results", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            if (!response.IsSuccessStatusCode)
            {
                return -(int)response.StatusCode;
            }
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["stored"]!.GetValue<int>();
        });
    var pushRun = await RunAsync($"plain push, {pushConcurrency} concurrent GET /api/push/<token>?status=up", pushConcurrency, seconds, serverPid,
        _ => new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) },
        async (client, worker, n, ct) =>
        {
            using var response = await client.GetAsync($"api/push/{pushTokens[(worker * 7919 + n) % pushTokens.Length]}?status=up&msg=bench", ct);
            return response.IsSuccessStatusCode ? 1 : -(int)response.StatusCode;
        });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"== ingestion: probe results {probeRun:0} /s, plain push {pushRun:0} signals/s, ratio {probeRun / pushRun:0.00} (results per second over signals per second)"));
    return 0;
}

// Batches of results as a probe sends them: the checks from `first` on, all fine, each with one condition.
static string Batch(string id, string[] checks, int first, int size, DateTimeOffset at)
{
    var text = new StringBuilder(size * 200);
    var time = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    text.Append("{\"batch\":\"").Append(id).Append("\",\"results\":[");
    for (var i = 0; i < size; i++)
    {
        if (i > 0)
        {
            text.Append(',');
        }
        text.Append("{\"monitor\":\"").Append(checks[(first + i) % checks.Length]).Append("\",\"at\":\"").Append(time)
            .Append("\",\"ok\":true,\"message\":\"HTTP 200\",\"durationMs\":").Append(i % 40 + 2)
            .Append(",\"conditions\":[{\"condition\":\"[STATUS] == 200\",\"ok\":true,\"text\":\"[STATUS] (200) == 200\"}]}");
    }
    return text.Append("]}").ToString();
}

// Runs `workers` loops of back-to-back calls for a short warm-up and then `seconds`; prints the
// median of the per-second rates of what was stored, call latency and the server's CPU; returns that
// median. A call's results count in the seconds it was in flight, spread evenly over them: a batch
// that takes two seconds stores its results over both, not all in the second it is answered.
static async Task<double> RunAsync(string title, int workers, int seconds, int serverPid,
    Func<int, HttpClient> client, Func<HttpClient, int, int, CancellationToken, Task<int>> call)
{
    var warmUp = TimeSpan.FromSeconds(3);
    var calls = new ConcurrentBag<(double Start, double Done, int Stored)>();
    var errors = new ConcurrentDictionary<string, int>();
    var watch = Stopwatch.StartNew();
    var end = warmUp + TimeSpan.FromSeconds(seconds);
    var cpuBefore = 0.0;
    var cpuTaken = false;
    var cpuAt = TimeSpan.Zero;
    var cpuUntil = TimeSpan.Zero;
    using var stop = new CancellationTokenSource(end + TimeSpan.FromSeconds(60));
    var loops = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
    {
        using var http = client(w);
        for (var n = 0; watch.Elapsed < end; n++)
        {
            var started = watch.Elapsed;
            int stored;
            try
            {
                stored = await call(http, w, n, stop.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                errors.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
                continue;
            }
            if (stored < 0)
            {
                errors.AddOrUpdate($"HTTP {-stored}", 1, (_, n) => n + 1);
                continue;
            }
            calls.Add(((started - warmUp).TotalSeconds, (watch.Elapsed - warmUp).TotalSeconds, stored));
        }
    })).ToList();
    await Task.Delay(warmUp);
    if (serverPid > 0)
    {
        cpuBefore = CpuSeconds(serverPid);
        cpuAt = watch.Elapsed;
        cpuTaken = true;
        await Task.Delay(end - watch.Elapsed);
        cpuUntil = watch.Elapsed;
    }
    var cpu = cpuTaken ? (CpuSeconds(serverPid) - cpuBefore) / (cpuUntil - cpuAt).TotalSeconds : double.NaN;
    await Task.WhenAll(loops);
    var perSecond = new double[seconds];
    foreach (var (start, done, stored) in calls)
    {
        var length = Math.Max(done - start, 1e-6);
        for (var second = Math.Max(0, (int)Math.Floor(start)); second < seconds && second < done; second++)
        {
            var overlap = Math.Min(done, second + 1) - Math.Max(start, second);
            if (overlap > 0)
            {
                perSecond[second] += stored * overlap / length;
            }
        }
    }
    var rates = perSecond.Order().ToArray();
    var lat = calls.Where(c => c.Start >= 0 && c.Start < seconds).Select(c => (c.Done - c.Start) * 1000).Order().ToArray();
    double P(double q) => lat.Length == 0 ? double.NaN : lat[Math.Min(lat.Length - 1, (int)(q * lat.Length))];
    var median = rates[rates.Length / 2];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"   {title}, {seconds} s: median {median:0} stored/s (mean {rates.Sum() / seconds:0}, min {rates[0]:0}, max {rates[^1]:0}), {lat.Length} calls, errors: {(errors.IsEmpty ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}")))}, " +
        $"latency p50 {P(0.5):0.0} ms p99 {P(0.99):0.0} ms; server CPU {cpu * 100:0} % of one core"));
    return median;
}

static double CpuSeconds(int pid)
{
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): user and system ticks.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}
