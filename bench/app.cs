#:package Microsoft.Playwright@1.64.0
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// The web app's benchmark (issue #10): a real headless Chromium against a running server with many
// monitors. Run by bench/app.sh, or by hand:
//   dotnet run bench/app.cs -- <base-url> <api key> [--seed N --down D] [--runs R]
// Seeds N push monitors (D of them down) through the admin API when --seed is given, then measures
// the time to first byte of /, the time until the first rows are visible, filtering to "down",
// and the bytes of a first (cold) load.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var baseUrl = args[0].TrimEnd('/');
var key = args[1];
int seed = 0, down = 0, runs = 10;
for (var i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed": seed = int.Parse(args[++i]); break;
        case "--down": down = int.Parse(args[++i]); break;
        case "--runs": runs = int.Parse(args[++i]); break;
    }
}

using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
http.DefaultRequestHeaders.Authorization = new("Bearer", key);
if (seed > 0)
{
    var clock = Stopwatch.StartNew();
    var tokens = new string[seed];
    await Parallel.ForAsync(0, seed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        using var response = await http.PostAsJsonAsync("api/v1/monitors", new { name = $"job-{i:00000}", tags = new[] { $"team-{i % 20}" }, period = 3600 }, ct);
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        tokens[i] = json["pushToken"]!.GetValue<string>();
    });
    await Parallel.ForAsync(0, seed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        // Every 20th monitor goes down (D of them), the rest report up with a response time.
        var query = i % (seed / Math.Max(1, down)) == 0 && i / (seed / Math.Max(1, down)) < down ? "?status=down&msg=failed" : $"?ping={i % 300}";
        using var response = await http.GetAsync($"api/push/{tokens[i]}{query}", ct);
        response.EnsureSuccessStatusCode();
    });
    Console.WriteLine($"seeded {seed} monitors ({down} down) in {clock.Elapsed.TotalSeconds:0.0} s");
}

using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });

async Task<IBrowserContext> SignedInAsync()
{
    var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync(baseUrl + "/login");
    // bench/app.sh starts the server with this admin (LIFELINE_ADMIN_USER / LIFELINE_ADMIN_PASSWORD).
    await page.FillAsync("#username", "bench");
    await page.FillAsync("#password", "bench-password-0123");
    await page.ClickAsync("button[type=submit]");
    await page.Locator("table.monitors").WaitForAsync();
    await page.CloseAsync();
    return context;
}

// A first load in a fresh context: nothing cached, every byte counted (headers and bodies).
{
    var context = await SignedInAsync();
    var page = await context.NewPageAsync();
    var requests = new List<IRequest>();
    page.RequestFinished += (_, r) => requests.Add(r);
    await page.GotoAsync(baseUrl + "/", new() { WaitUntil = WaitUntilState.NetworkIdle });
    long bytes = 0;
    foreach (var r in requests)
    {
        var sizes = await r.SizesAsync();
        bytes += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
    }
    Console.WriteLine($"first load: {requests.Count} requests, {bytes / 1024.0:0.0} KB transferred");
    await context.CloseAsync();
}

var ttfb = new List<double>();
var rows = new List<double>();
var filter = new List<double>();
var context2 = await SignedInAsync();
var page2 = await context2.NewPageAsync();
for (var run = 0; run < runs; run++)
{
    var watch = Stopwatch.StartNew();
    var response = await page2.GotoAsync(baseUrl + "/", new() { WaitUntil = WaitUntilState.Commit });
    await page2.Locator("table.monitors tr[data-id]").First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
    rows.Add(watch.Elapsed.TotalMilliseconds);
    var timing = response!.Request.Timing;
    ttfb.Add(timing.ResponseStart - timing.RequestStart);
    watch.Restart();
    await page2.ClickAsync(".summary a[data-count=down]");
    await page2.WaitForURLAsync("**/?status=down");
    await page2.Locator("table.monitors tr[data-status=down]").First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
    filter.Add(watch.Elapsed.TotalMilliseconds);
}
await context2.CloseAsync();

static string Stats(List<double> values)
{
    var sorted = values.Order().ToList();
    return $"median {sorted[sorted.Count / 2]:0.0} ms, max {sorted[^1]:0.0} ms";
}
Console.WriteLine($"time to first byte of /: {Stats(ttfb)}");
Console.WriteLine($"first rows visible:      {Stats(rows)}");
Console.WriteLine($"filter to down:          {Stats(filter)}");
