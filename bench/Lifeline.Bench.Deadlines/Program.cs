// Deadline benchmark: with N push monitors loaded in a real `lifeline serve`, how long after a
// missed deadline does the down notice reach a webhook, and how much memory does the server use?
//
//   dotnet run -c Release --project bench/Lifeline.Bench.Deadlines -- <path to lifeline.dll> [monitors=100000] [probes=200]
//       [--postgres <connection string>] [--pg-data <PostgreSQL data folder>] [--label <name>] [--results <file>] [--port <n>]
//
// The loaded monitors get one push each and a one-hour period (they stay up, their deadlines sit
// in the index). The probe monitors have a 5 s period and a webhook channel; each gets one push
// at a staggered time and then silence. Latency = notice arrival - (last signal + period).
// Loading goes through the API (create, then push), never straight into the database.
//
// --postgres: the server runs on that (empty) PostgreSQL database instead of a SQLite folder.
// --channels each: every probe gets a webhook channel of its own (same receiver) instead of one
// channel for all. A channel delivers one notice at a time, in order, so with one channel the
// figure includes that queue (20 notices/s here): each notice is claimed, sent and recorded before the next.
// --pg-data: the cluster's data folder, to add PostgreSQL's own memory (PSS of the postmaster and
// its children) to the report. --results: appends one summary line to that file.
// bench/deadlines.sh runs SQLite and PostgreSQL side by side on a throwaway cluster.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

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
var lifelineDll = positional.Count > 0 ? Path.GetFullPath(positional[0]) : throw new ArgumentException("usage: <path to lifeline.dll> [monitors] [probes] [--postgres <conn>] [--pg-data <dir>] [--label <name>] [--results <file>] [--port <n>]");
var monitors = positional.Count > 1 ? int.Parse(positional[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var probes = positional.Count > 2 ? int.Parse(positional[2], System.Globalization.CultureInfo.InvariantCulture) : 200;
var postgres = named.GetValueOrDefault("--postgres");
var pgData = named.GetValueOrDefault("--pg-data");
var label = named.GetValueOrDefault("--label") ?? (postgres is null ? "sqlite" : "postgres");
var resultsFile = named.GetValueOrDefault("--results");
var channelEach = named.GetValueOrDefault("--channels", "one") switch
{
    "one" => false,
    "each" => true,
    _ => throw new ArgumentException("--channels is one or each"),
};
if (channelEach)
{
    label += " (a channel each)";
}
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
var port = named.TryGetValue("--port", out var givenPort) ? int.Parse(givenPort, System.Globalization.CultureInfo.InvariantCulture) : 5190;
var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
string[] serveArgs = [lifelineDll, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", data.FullName, .. postgres is null ? [] : (string[])["--postgres", postgres]];
foreach (var a in serveArgs)
{
    info.ArgumentList.Add(a);
}
info.Environment["LIFELINE_API_KEY"] = Key;
using var server = Process.Start(info)!;
// The server's log, kept for a failed start.
var serverLog = new ConcurrentQueue<string>();
void Keep(string? line)
{
    if (line is not null && serverLog.Count < 200)
    {
        serverLog.Enqueue(line);
    }
}
server.OutputDataReceived += (_, e) => Keep(e.Data);
server.ErrorDataReceived += (_, e) => Keep(e.Data);
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
    catch (HttpRequestException) when (i < 600 && !server.HasExited)
    {
    }
    catch (HttpRequestException)
    {
        Console.Error.WriteLine(string.Join('\n', serverLog));
        throw;
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
// --api-load K (PostgreSQL only): K monitors through the API, the rest copied from them in SQL.
var throughApi = named.TryGetValue("--api-load", out var apiLoad) ? Math.Min(monitors, int.Parse(apiLoad, System.Globalization.CultureInfo.InvariantCulture)) : monitors;
if (throughApi < monitors && postgres is null)
{
    throw new ArgumentException("--api-load works on PostgreSQL only");
}
await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) <= throughApi)
    {
        await CreateAndPush(new { name = $"loaded-{i:D6}", period = 3600 });
        if (i % 20_000 == 0)
        {
            Console.WriteLine($"  {i} monitors loaded ({load.Elapsed.TotalSeconds:0} s)");
        }
    }
}));
var apiSeconds = load.Elapsed.TotalSeconds;
Console.WriteLine($"{throughApi} monitors created and pushed through the API in {apiSeconds:0} s ({throughApi / apiSeconds:0} monitors/s, each a create and a push)");
var loadNote = throughApi == monitors ? "API" : $"{throughApi} by API in {apiSeconds:0} s, {monitors - throughApi} copied in SQL";
if (throughApi < monitors)
{
    await CopyInSqlAsync(postgres!, throughApi, monitors - throughApi);
    Console.WriteLine($"{monitors - throughApi} more copied from them in SQL; {monitors} loaded in {load.Elapsed.TotalSeconds:0} s");
}
var loadSeconds = load.Elapsed.TotalSeconds;

// Probes: one push each, spread over 10 s, then silence.
var probeStart = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, probes).Select(async i =>
{
    await Task.Delay(TimeSpan.FromMilliseconds(10_000.0 * i / probes));
    var own = channelEach
        ? JsonNode.Parse(await (await http.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = $"bench-{i:D4}", url = hookUrl })).Content.ReadAsStringAsync())!["id"]!.GetValue<string>()
        : channel;
    await CreateAndPush(new { name = $"probe-{i:D4}", period = probePeriod.TotalSeconds, channels = new[] { own } });
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
Console.WriteLine($"[{label}] down notices: {latencies.Count} of {probes}");
Console.WriteLine($"[{label}] deadline -> webhook latency: median {Percentile(0.5):0} ms, p90 {Percentile(0.9):0} ms, p99 {Percentile(0.99):0} ms, max {latencies.LastOrDefault():0} ms");
Console.WriteLine($"[{label}] server memory with {monitors + probes} monitors: RSS {Field("VmRSS")}, peak {Field("VmHWM")}");
long databaseBytes;
if (postgres is null)
{
    databaseBytes = data.GetFiles("lifeline.db*").Sum(f => f.Length);
}
else
{
    await using var connection = new Npgsql.NpgsqlConnection(postgres);
    await connection.OpenAsync();
    await using var size = new Npgsql.NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
    databaseBytes = (long)(await size.ExecuteScalarAsync())!;
}
Console.WriteLine($"[{label}] database: {databaseBytes / 1024 / 1024} MB");
var pgMemory = "";
if (pgData is not null)
{
    var (pss, rss, processes) = PostgresMemory(pgData);
    pgMemory = $", PostgreSQL PSS {pss / 1024} MB (RSS summed {rss / 1024} MB) over {processes} processes";
    Console.WriteLine($"[{label}] PostgreSQL memory: PSS {pss / 1024} MB over {processes} processes (their RSS summed: {rss / 1024} MB, shared buffers counted in each)");
}
if (resultsFile is not null)
{
    await File.AppendAllTextAsync(resultsFile, FormattableString.Invariant(
        $"{label}: monitors {monitors}, load {loadSeconds:0} s ({monitors / loadSeconds:0}/s; {loadNote}), notices {latencies.Count}/{probes}, median {Percentile(0.5):0} ms, p90 {Percentile(0.9):0} ms, p99 {Percentile(0.99):0} ms, max {latencies.LastOrDefault():0} ms, server RSS {Field("VmRSS")} (peak {Field("VmHWM")}), database {databaseBytes / 1024 / 1024} MB{pgMemory}\n"));
}

server.Kill();
await server.WaitForExitAsync();
await receiver.StopAsync();
data.Delete(recursive: true);

// The rest of the loaded monitors, copied in SQL from the ones the API made: every column as the
// API wrote it (status, times, due time, period, channels, ...) and the event of the push, except
// the id, the name and the push token, which are new random-looking strings of the API's lengths.
// The shard follows from the id as for any monitor. The server keeps nothing per monitor in
// memory on PostgreSQL, so the copies are swept like the others.
static async Task CopyInSqlAsync(string postgres, int made, int more)
{
    await using var connection = new Npgsql.NpgsqlConnection(postgres);
    await connection.OpenAsync();
    async Task<List<string>> ColumnsAsync(string table)
    {
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_name = @t AND is_generated = 'NEVER' ORDER BY ordinal_position", connection);
        command.Parameters.AddWithValue("t", table);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }
    var monitorColumns = await ColumnsAsync("monitors");
    var eventColumns = await ColumnsAsync("events");
    const string NewId = "substr(md5(t.id || '/' || g), 1, 12)";
    string MonitorValue(string column) => column switch
    {
        "id" => NewId,
        "name" => "'copied-' || lpad((g * @made + row_number() OVER (ORDER BY t.id))::text, 7, '0')",
        "push_token" => "substr(md5(t.push_token || '/' || g), 1, 24)",
        _ => "t." + column,
    };
    var rounds = (more + made - 1) / made;
    var copied = 0;
    for (var g = 1; g <= rounds && copied < more; g++)
    {
        var take = Math.Min(made, more - copied);
        var sql =
            $"WITH src AS (SELECT * FROM monitors WHERE name LIKE 'loaded-%' ORDER BY id LIMIT @take), " +
            $"m AS (INSERT INTO monitors ({string.Join(", ", monitorColumns)}) SELECT {string.Join(", ", monitorColumns.Select(MonitorValue))} FROM src t, (SELECT @g AS g) x RETURNING 1) " +
            $"INSERT INTO events ({string.Join(", ", eventColumns)}) SELECT {string.Join(", ", eventColumns.Select(c => c == "monitor_id" ? NewId.Replace("t.id", "t.monitor_id", StringComparison.Ordinal) : "t." + c))} " +
            $"FROM events t, (SELECT @g AS g) x WHERE t.monitor_id IN (SELECT id FROM src)";
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("take", take);
        command.Parameters.AddWithValue("g", g);
        command.Parameters.AddWithValue("made", (long)made);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
        copied += take;
        if (g % 10 == 0)
        {
            Console.WriteLine($"  {copied} copied in SQL");
        }
    }
    await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE monitors; ANALYZE events", connection) { CommandTimeout = 0 };
    await analyze.ExecuteNonQueryAsync();
    await using var count = new Npgsql.NpgsqlCommand("SELECT (SELECT count(*) FROM monitors) || ' monitor rows, ' || (SELECT count(*) FROM events) || ' event rows'", connection);
    Console.WriteLine($"  now {await count.ExecuteScalarAsync()}");
}

// PostgreSQL's memory: the postmaster (first line of postmaster.pid) and every child process.
// PSS shares each shared page among the processes that map it, so the sum counts shared_buffers once.
static (long PssKb, long RssKb, int Processes) PostgresMemory(string pgData)
{
    var postmaster = int.Parse(File.ReadLines(Path.Combine(pgData, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
    var pids = new List<int> { postmaster };
    foreach (var dir in Directory.GetDirectories("/proc"))
    {
        if (int.TryParse(Path.GetFileName(dir), out var pid))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Field 4 (ppid) follows the command name in parentheses.
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (ppid == postmaster)
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
    }
    long pss = 0, rss = 0;
    foreach (var pid in pids)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts[0] == "Pss:")
                {
                    pss += long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (parts[0] == "Rss:")
                {
                    rss += long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
    }
    return (pss, rss, pids.Count);
}
