using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>The real lifeline process: durability under kill -9, restarts, clean stops.</summary>
public sealed class ProcessTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly string _data;

    public ProcessTests()
    {
        _data = _temp.Path;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<JsonObject> CreateAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("api/v1/monitors", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task Every_acknowledged_push_survives_a_kill_9_of_the_server()
    {
        var acknowledged = new ConcurrentBag<string>();
        var tokens = new List<(string Id, string Token)>();
        await using (var server = await LifelineProcess.StartAsync(_data))
        {
            for (var i = 0; i < 8; i++)
            {
                var m = await CreateAsync(server.Admin, new { name = $"m{i}", period = 3600 });
                tokens.Add((m["id"]!.GetValue<string>(), m["pushToken"]!.GetValue<string>()));
            }
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                using var client = new HttpClient { BaseAddress = server.BaseUri };
                for (var n = 0; !stop.IsCancellationRequested && n < 100_000; n++)
                {
                    var msg = $"w{worker}-n{n}";
                    try
                    {
                        using var response = await client.PostAsync($"api/push/{tokens[n % tokens.Count].Token}?msg={msg}", null);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(msg);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToList();
            await Eventually.GetAsync(() => Task.FromResult(acknowledged.Count), count => count >= 1500, TimeSpan.FromSeconds(60));

            await server.KillHardAsync();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        await using var restarted = await LifelineProcess.StartAsync(_data);
        var stored = new HashSet<string>();
        foreach (var (id, _) in tokens)
        {
            var events = JsonNode.Parse(await restarted.Admin.GetStringAsync($"api/v1/monitors/{id}/events?limit=10000"))!.AsArray();
            stored.UnionWith(events.Select(e => e!["msg"]!.GetValue<string>()));
        }
        acknowledged.Count.ShouldBeGreaterThanOrEqualTo(1500);
        acknowledged.Where(msg => !stored.Contains(msg)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_deadline_that_passes_while_the_server_is_stopped_gives_no_false_alert_but_silence_after_restart_alerts_once()
    {
        await using var receiver = await RecordingServer.StartAsync();
        var port = LifelineProcess.FreePort();
        string id;
        await using (var server = await LifelineProcess.StartAsync(_data, port))
        {
            using var channel = await server.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "hook", url = receiver.Url("/hook") });
            var channelId = JsonNode.Parse(await channel.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            var monitor = await CreateAsync(server.Admin, new { name = "cron", period = 3, channels = new[] { channelId } });
            id = monitor["id"]!.GetValue<string>();
            (await server.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            await server.StopAsync();
            server.ExitCode.ShouldBe(0);
        }

        // The monitor's 3 s deadline passes while no server runs.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await using var restarted = await LifelineProcess.StartAsync(_data, port);

        var notices = await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Judged on the server's own clock, so a slow machine cannot fail it: the one alert comes a
        // whole fresh period after the restart, never for the deadline missed while it was stopped.
        var startedAt = JsonNode.Parse(await restarted.Admin.GetStringAsync("api/v1/status"))!["server"]!["startedAt"]!.GetValue<DateTimeOffset>();
        var incident = JsonNode.Parse(await restarted.Admin.GetStringAsync($"api/v1/monitors/{id}/incidents"))!.AsArray().ShouldHaveSingleItem()!;
        incident["startedAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThanOrEqualTo(startedAt.AddSeconds(3));
        receiver.Requests.Count.ShouldBe(1);
        JsonNode.Parse(notices[0].Body)!["type"]!.GetValue<string>().ShouldBe("monitor.down");
        restarted.Output.ShouldContain("fresh period");
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_with_exit_code_0()
    {
        await using var server = await LifelineProcess.StartAsync(_data);

        await server.StopAsync();

        server.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task The_first_start_prints_an_admin_key_once_and_stores_only_its_hash()
    {
        var port = LifelineProcess.FreePort();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "lifeline.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--data", _data])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        string? key = null;
        while (key is null && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Trim().StartsWith("ll_", StringComparison.Ordinal))
            {
                key = line.Trim();
            }
        }
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var status = await Eventually.GetAsync(async () =>
        {
            try
            {
                using var r = await client.GetAsync("api/v1/status");
                return r.StatusCode;
            }
            catch (HttpRequestException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, s => s != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60));
        process.Kill();
        await process.WaitForExitAsync();

        key.ShouldNotBeNull();
        status.ShouldBe(HttpStatusCode.OK);
        var database = await File.ReadAllBytesAsync(Path.Combine(_data, "lifeline.db"));
        System.Text.Encoding.Latin1.GetString(database).ShouldNotContain(key);
    }
}
