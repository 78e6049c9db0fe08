using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>
/// <c>lifeline store copy</c> as a user runs it: a real server fills a SQLite folder, the real
/// command copies it, and a real server on PostgreSQL carries on from the copy.
/// </summary>
public sealed class StoreCopyProcessTests : IAsyncLifetime
{
    private readonly TempFolder _sqlite = new();
    private readonly TempFolder _elsewhere = new();
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _sqlite.Dispose();
        _elsewhere.Dispose();
    }

    /// <summary>Runs <c>lifeline store copy</c> to its end; returns its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Output)> CopyAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "lifeline.dll"), "store", "copy", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static async Task<string> GetAsync(HttpClient client, string path) => await client.GetStringAsync(path);

    /// <summary>What must survive the move: each monitor's identity and settings (not its live check state).</summary>
    private static async Task<List<string>> MonitorsAsync(HttpClient client)
    {
        var items = JsonNode.Parse(await GetAsync(client, "api/v1/monitors?limit=100"))!["items"]!.AsArray();
        return [.. items.Select(m => string.Join('|',
            new[] { "id", "name", "kind", "pushToken", "tags", "channels", "createdAt", "target", "period", "interval" }
                .Select(field => m![field]?.ToJsonString())))];
    }

    [Fact]
    public async Task A_sqlite_folder_is_copied_into_postgres_where_a_server_carries_on_with_its_tokens_keys_and_pending_notices()
    {
        await using var receiver = await RecordingServer.StartAsync();
        var flakyFails = true;
        receiver.Responder = r => new Reply(r.Path == "/flaky" && Volatile.Read(ref flakyFails) ? 500 : 200, "{}");
        string token, monitorId, readKey, firstFlakyId;
        List<string> monitors;
        string events, incidents;
        await using (var sqlite = await LifelineProcess.StartAsync(_sqlite.Path))
        {
            var ok = (await PostAsync(sqlite.Admin, "api/v1/channels", new { kind = "webhook", name = "ok", url = receiver.Url("/ok") }))["id"]!.GetValue<string>();
            var flaky = (await PostAsync(sqlite.Admin, "api/v1/channels", new { kind = "webhook", name = "flaky", url = receiver.Url("/flaky") }))["id"]!.GetValue<string>();
            var monitor = await PostAsync(sqlite.Admin, "api/v1/monitors", new { name = "backup", period = 3600, tags = new[] { "db" }, channels = new[] { ok, flaky } });
            await PostAsync(sqlite.Admin, "api/v1/monitors", new { name = "site", kind = "http", target = new Uri(sqlite.BaseUri, "healthz").ToString(), interval = 60 });
            await PostAsync(sqlite.Admin, "api/v1/monitors", new { name = "port", kind = "tcp", target = $"127.0.0.1:{sqlite.BaseUri.Port}", interval = 60 });
            readKey = (await PostAsync(sqlite.Admin, "api/v1/keys", new { name = "script", readOnly = true }))["key"]!.GetValue<string>();
            token = monitor["pushToken"]!.GetValue<string>();
            monitorId = monitor["id"]!.GetValue<string>();
            (await sqlite.Anonymous.GetAsync($"api/push/{token}?msg=first")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await sqlite.Anonymous.GetAsync($"api/push/{token}?msg=second&value=7")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await sqlite.Anonymous.GetAsync($"api/push/{token}?status=down&msg=disk%20full")).StatusCode.ShouldBe(HttpStatusCode.OK);
            // The down notice: sent on "ok", failed once on "flaky" and waiting for its retry.
            await Eventually.GetAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/ok")), n => n == 1, TimeSpan.FromSeconds(20));
            await Eventually.GetAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/flaky")), n => n == 1, TimeSpan.FromSeconds(20));
            firstFlakyId = receiver.Requests.Single(r => r.Path == "/flaky").Headers["webhook-id"];

            // A running server holds the folder: the copy is refused and copies nothing.
            var (refusedCode, refused) = await CopyAsync("--data", _sqlite.Path, "--postgres", _database.ConnectionString);
            refusedCode.ShouldBe(2, refused);
            refused.ShouldContain("is in use by another lifeline process");
            refused.Trim().Split('\n').Length.ShouldBe(1, refused);

            monitors = await MonitorsAsync(sqlite.Admin);
            events = await GetAsync(sqlite.Admin, $"api/v1/monitors/{monitorId}/events?limit=100");
            incidents = await GetAsync(sqlite.Admin, $"api/v1/monitors/{monitorId}/incidents");
            await sqlite.StopAsync();
        }
        // The failed notice may have been retried once more before the stop.
        var flakyTries = receiver.Requests.Count(r => r.Path == "/flaky");

        var (code, output) = await CopyAsync("--data", _sqlite.Path, "--postgres", _database.ConnectionString);
        var (againCode, again) = await CopyAsync("--data", _sqlite.Path, "--postgres", _database.ConnectionString);

        code.ShouldBe(0, output);
        output.ShouldContain("monitors       3 rows: 3 new");
        output.ShouldContain("api_keys       1 rows: 1 new");
        output.ShouldContain("outbox         2 rows: 2 new");
        output.ShouldContain(" 0 already in PostgreSQL.");
        againCode.ShouldBe(0, again);
        again.ShouldContain("monitors       3 rows: 0 new, 3 already there");
        again.ShouldContain("Done in ");
        again.ShouldContain(": 0 new rows, ");

        Volatile.Write(ref flakyFails, false);
        await using var postgres = await LifelineProcess.StartAsync(_elsewhere.Path, null, "--postgres", _database.ConnectionString);
        // The notice pending in SQLite goes out from PostgreSQL with its webhook-id.
        await Eventually.GetAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/flaky")), n => n > flakyTries, TimeSpan.FromSeconds(30));
        receiver.Requests.Where(r => r.Path == "/flaky").ShouldAllBe(r => r.Headers["webhook-id"] == firstFlakyId);
        (await MonitorsAsync(postgres.Admin)).ShouldBe(monitors);
        (await GetAsync(postgres.Admin, $"api/v1/monitors/{monitorId}/events?limit=100")).ShouldBe(events);
        (await GetAsync(postgres.Admin, $"api/v1/monitors/{monitorId}/incidents")).ShouldBe(incidents);

        // The old token and the key made on SQLite work; the sent notice is not sent again.
        (await postgres.Anonymous.GetAsync($"api/push/{token}?msg=moved")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new HttpClient { BaseAddress = postgres.BaseUri };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", readKey);
        JsonNode.Parse(await reader.GetStringAsync($"api/v1/monitors/{monitorId}"))!["status"]!.GetValue<string>().ShouldBe("up");
        await Eventually.GetAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/ok")), n => n == 2, TimeSpan.FromSeconds(20));
        var ok2 = receiver.Requests.Where(r => r.Path == "/ok").ToList();
        ok2[1].Headers["webhook-id"].ShouldNotBe(ok2[0].Headers["webhook-id"]);
        JsonNode.Parse(ok2[1].Body)!["type"]!.GetValue<string>().ShouldBe("monitor.up");
    }

    [Fact]
    public async Task A_missing_folder_or_connection_string_is_refused_with_exit_2_and_one_line()
    {
        var missing = Path.Combine(_sqlite.Path, "nope");

        var (noFolder, noFolderOutput) = await CopyAsync("--data", missing, "--postgres", _database.ConnectionString);
        var (noConnection, noConnectionOutput) = await CopyAsync("--data", _sqlite.Path, "--postgres", "");

        noFolder.ShouldBe(2);
        noFolderOutput.Trim().ShouldBe($"lifeline: the data folder {missing} does not exist");
        noConnection.ShouldBe(2);
        noConnectionOutput.Trim().ShouldStartWith("lifeline: --postgres (or LIFELINE_POSTGRES) is required");
    }
}
