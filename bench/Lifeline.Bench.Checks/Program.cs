using System.Diagnostics;
using System.Globalization;
using Lifeline.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Active checks benchmark: N http monitors at one interval against a local target in a child
// process, so this process's CPU time is Lifeline's own. Measures how late checks start
// (start time minus due time) and process CPU time over wall time, after one warm-up interval.
//
//   dotnet run -c Release --project bench/Lifeline.Bench.Checks -- [monitors=10000] [interval=60] [measure=180]
//   (the child is started as: ... -- target <port>)

if (args is ["target", var portText])
{
    var target = WebApplication.CreateSlimBuilder();
    target.WebHost.UseUrls($"http://127.0.0.1:{portText}");
    target.Logging.ClearProviders();
    var web = target.Build();
    web.MapGet("/{**path}", () => Results.Text("{\"status\":\"UP\"}", "application/json"));
    await web.RunAsync();
    return 0;
}

var monitors = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var interval = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 60);
var measure = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 180);
var port = 18000 + Random.Shared.Next(1000);
var folder = Path.Combine(Path.GetTempPath(), "lifeline-bench-checks", Guid.NewGuid().ToString("N"));

using var targetProcess = StartTarget(port);
try
{
    await using var app = ServerHost.Build(
        ["--urls=http://127.0.0.1:0", $"--Lifeline:Data={folder}", "--LIFELINE_API_KEY=bench-admin-key-0123456789"],
        services => services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)));
    var lag = app.Services.GetRequiredService<CheckLag>();
    var samples = new List<double>(capacity: (int)(monitors * (measure / interval) * 1.2));
    var recording = false;
    lag.Observed += late =>
    {
        if (Volatile.Read(ref recording))
        {
            lock (samples)
            {
                samples.Add(late.TotalMilliseconds);
            }
        }
    };
    await app.StartAsync();
    await WaitForTargetAsync(port);

    // Created as the API creates them: first check due at once, so the warm-up holds one burst.
    var store = app.Services.GetRequiredService<IMonitorStore>();
    var clock = TimeProvider.System;
    var created = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, monitors), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
    {
        var now = clock.GetUtcNow();
        await store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(),
            Name = $"bench-{i:D5}",
            Kind = MonitorKind.Http,
            Target = $"http://127.0.0.1:{port}/m/{i}",
            Interval = interval,
            Timeout = TimeSpan.FromSeconds(10),
            Conditions = ["[STATUS] == 200"],
            CreatedAt = now,
            DueAt = now,
            NextDeadlineAt = now,
        }, ct);
    });
    Console.WriteLine($"created {monitors} monitors in {created.Elapsed.TotalSeconds:0.0} s; warming up for one interval ({interval.TotalSeconds} s)");
    var burst = Stopwatch.StartNew();
    while (lag.Started < monitors)
    {
        await Task.Delay(100);
    }
    Console.WriteLine($"first round: all {monitors} checks started within {burst.Elapsed.TotalSeconds:0.0} s of creation");
    await Task.Delay(interval - burst.Elapsed > TimeSpan.Zero ? interval - burst.Elapsed : TimeSpan.Zero);

    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var startedBefore = lag.Started;
    var wall = Stopwatch.StartNew();
    Volatile.Write(ref recording, true);
    await Task.Delay(measure);
    Volatile.Write(ref recording, false);
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    var elapsed = wall.Elapsed;
    var checks = lag.Started - startedBefore;

    double[] sorted;
    lock (samples)
    {
        sorted = [.. samples.Order()];
    }
    double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    var counts = await store.CountByStatusAsync(CancellationToken.None);
    Console.WriteLine($"monitors {monitors}, interval {interval.TotalSeconds} s, measured {elapsed.TotalSeconds:0} s, cores {Environment.ProcessorCount}");
    Console.WriteLine($"checks started {checks} ({checks / elapsed.TotalSeconds:0.0}/s)");
    Console.WriteLine($"lateness ms: p50 {P(0.50):0} p90 {P(0.90):0} p99 {P(0.99):0} max {P(1):0}");
    Console.WriteLine($"cpu: {cpu.TotalSeconds:0.0} s over {elapsed.TotalSeconds:0} s = {100 * cpu / elapsed:0.0} % of one core");
    Console.WriteLine($"status: {string.Join(", ", counts.Where(c => c.Value > 0).Select(c => $"{c.Key} {c.Value}"))}");
    await app.StopAsync();
}
finally
{
    targetProcess.Kill(entireProcessTree: true);
    try
    {
        Directory.Delete(folder, recursive: true);
    }
    catch (IOException)
    {
        // A leftover temp folder is harmless.
    }
}
return 0;

static Process StartTarget(int port)
{
    var self = Environment.ProcessPath!;
    var info = new ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        info.ArgumentList.Add(typeof(Monitor).Assembly.Location.Replace("Lifeline.Core.dll", "Lifeline.Bench.Checks.dll", StringComparison.Ordinal));
    }
    info.ArgumentList.Add("target");
    info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
    return Process.Start(info)!;
}

static async Task WaitForTargetAsync(int port)
{
    using var client = new HttpClient();
    for (var i = 0; i < 100; i++)
    {
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/ready"));
            if (response.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }
        await Task.Delay(100);
    }
    throw new InvalidOperationException("the target did not start");
}
