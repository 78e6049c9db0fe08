using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests.Checks;

/// <summary>Active monitors through the whole server: checks of real loopback targets, alerts through a webhook.</summary>
public class ActiveMonitorTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private RecordingServer _target = null!;
    private RecordingServer _receiver = null!;
    private string _channel = null!;

    public async Task InitializeAsync()
    {
        _target = await RecordingServer.StartAsync();
        _receiver = await RecordingServer.StartAsync();
        _app = await StartAppAsync();
        _channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _target.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    /// <summary>Starts every due check now, as the worker would on its next pass, and waits for the results.</summary>
    private static async Task CheckDueAsync(LifelineApp app)
    {
        var sweep = app.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();
    }

    /// <summary>Moves the clock to the monitor's next check and runs it.</summary>
    private static async Task<JsonObject> NextCheckAsync(LifelineApp app, string id)
    {
        var monitor = await app.GetJsonAsync($"api/v1/monitors/{id}");
        var due = DateTimeOffset.Parse(monitor["nextDeadlineAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        if (due > app.Clock.GetUtcNow())
        {
            app.Clock.Set(due);
        }
        await CheckDueAsync(app);
        return await app.GetJsonAsync($"api/v1/monitors/{id}");
    }

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task An_http_monitor_goes_down_after_its_retries_naming_the_failed_condition_and_recovers()
    {
        var monitor = await _app.CreateMonitorAsync(new
        {
            name = "api",
            kind = "http",
            target = _target.Url("/health"),
            interval = 60,
            retries = 1,
            retryInterval = 10,
            conditions = new[] { "[STATUS] == 200" },
            channels = new[] { _channel },
        });
        var id = Text(monitor["id"]);

        var first = await NextCheckAsync(_app, id);
        _target.Responder = _ => new Reply(500, "{}");
        var retrying = await NextCheckAsync(_app, id);
        var retryAt = DateTimeOffset.Parse(Text(retrying["nextDeadlineAt"]), System.Globalization.CultureInfo.InvariantCulture);
        var down = await NextCheckAsync(_app, id);
        var downNotice = JsonNode.Parse((await _receiver.WaitForAsync(1))[0].Body)!;
        _target.Responder = _ => new Reply(200, "{}");
        var up = await NextCheckAsync(_app, id);
        var upNotice = JsonNode.Parse((await _receiver.WaitForAsync(2))[1].Body)!;

        Text(first["status"]).ShouldBe("up");
        Text(retrying["status"]).ShouldBe("up");
        (retryAt - DateTimeOffset.Parse(Text(retrying["lastSignalAt"]), System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(TimeSpan.FromSeconds(10));
        Text(down["status"]).ShouldBe("down");
        Text(down["lastMessage"]).ShouldBe("[STATUS] (500) == 200");
        Text(downNotice["type"]).ShouldBe("monitor.down");
        Text(downNotice["reason"]).ShouldBe("[STATUS] (500) == 200");
        Text(up["status"]).ShouldBe("up");
        Text(upNotice["type"]).ShouldBe("monitor.up");
        _receiver.Requests.Count.ShouldBe(2);
        _target.Requests.Count.ShouldBe(4);
        var incidents = (await _app.GetArrayAsync($"api/v1/monitors/{id}/incidents"));
        incidents.Count.ShouldBe(1);
        incidents[0]!["endedAt"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Check_events_carry_each_condition_with_the_value_seen_and_the_uptime_sums_them()
    {
        _target.Responder = _ => new Reply(503, """{"status":"DOWN"}""");
        var monitor = await _app.CreateMonitorAsync(new
        {
            name = "api",
            kind = "http",
            target = _target.Url("/"),
            conditions = new[] { "[STATUS] == 200", "[BODY].status == DOWN" },
        });
        var id = Text(monitor["id"]);

        await NextCheckAsync(_app, id);
        _target.Responder = _ => new Reply(200, """{"status":"DOWN"}""");
        await NextCheckAsync(_app, id);

        var events = (await _app.GetArrayAsync($"api/v1/monitors/{id}/events"));
        var failed = events[1]!;
        Text(failed["type"]).ShouldBe("check");
        failed["ok"]!.GetValue<bool>().ShouldBeFalse();
        Text(failed["result"]).ShouldBe("failed");
        failed["durationMs"].ShouldNotBeNull();
        var conditions = failed["conditions"]!.AsArray();
        Text(conditions[0]!["condition"]).ShouldBe("[STATUS] == 200");
        conditions[0]!["ok"]!.GetValue<bool>().ShouldBeFalse();
        Text(conditions[0]!["text"]).ShouldBe("[STATUS] (503) == 200");
        conditions[1]!["ok"]!.GetValue<bool>().ShouldBeTrue();
        Text(events[0]!["result"]).ShouldBe("ok");
        var uptime = await _app.GetJsonAsync($"api/v1/monitors/{id}/uptime?hours=1");
        uptime["checks"]!.GetValue<int>().ShouldBe(2);
        uptime["failures"]!.GetValue<int>().ShouldBe(1);
        uptime["uptime"]!.GetValue<double>().ShouldBe(0.5);
        uptime["latencyMs"]!["p50"].ShouldNotBeNull();
    }

    [Fact]
    public async Task A_tcp_monitor_is_up_while_its_port_listens_and_down_once_it_closes()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var monitor = await _app.CreateMonitorAsync(new { name = "db", kind = "tcp", target = $"127.0.0.1:{port}", channels = new[] { _channel } });
        var id = Text(monitor["id"]);

        var up = await NextCheckAsync(_app, id);
        listener.Dispose();
        var down = await NextCheckAsync(_app, id);

        Text(up["status"]).ShouldBe("up");
        Text(up["lastMessage"]).ShouldStartWith("connected to 127.0.0.1");
        Text(down["status"]).ShouldBe("down");
        Text(down["lastMessage"]).ShouldContain("[CONNECTED] (false) == true");
        Text(JsonNode.Parse((await _receiver.WaitForAsync(1))[0].Body)!["reason"]).ShouldContain("[CONNECTED] (false) == true");
    }

    [Fact]
    public async Task A_bad_condition_is_refused_naming_the_condition_and_the_position()
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/monitors", new
        {
            name = "api",
            kind = "http",
            target = _target.Url("/"),
            conditions = new[] { "[STATUS] == 200", "[STATUS] =! 200" },
        });
        var error = Text(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.ShouldContain("conditions[1]");
        error.ShouldContain("[STATUS] =! 200");
        error.ShouldContain("position 10");
    }

    [Fact]
    public async Task A_condition_on_a_placeholder_the_kind_lacks_is_refused_on_patch_too()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "db", kind = "tcp", target = "127.0.0.1:5432" });

        using var response = await _app.Admin.PatchAsJsonAsync($"api/v1/monitors/{Text(monitor["id"])}", new { conditions = new[] { "[STATUS] == 200" } });
        var error = Text(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.ShouldContain("conditions[0]");
        error.ShouldContain("[STATUS] is not available for tcp monitors");
    }

    [Fact]
    public async Task Healthz_reports_how_late_due_checks_start()
    {
        await _app.CreateMonitorAsync(new { name = "api", kind = "http", target = _target.Url("/") });
        _app.Clock.Advance(TimeSpan.FromMilliseconds(400));
        await CheckDueAsync(_app);

        using var response = await _app.Anonymous.GetAsync("healthz");
        var checks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["checks"]!["activeChecks"]!;

        // The background worker may start it on its own 250 ms tick while the clock moves.
        checks["lagMs"]!.GetValue<double>().ShouldBeInRange(250, 400);
        checks["started"]!.GetValue<long>().ShouldBe(1);
    }
}

/// <summary>The server's canary: when it fails too, a failed check is unknown and pages nobody.</summary>
public sealed class CanaryTests : IAsyncLifetime
{
    private RecordingServer _target = null!;
    private RecordingServer _receiver = null!;
    private RecordingServer _canary = null!;
    private LifelineApp _app = null!;

    public async Task InitializeAsync()
    {
        _target = await RecordingServer.StartAsync();
        _receiver = await RecordingServer.StartAsync();
        _canary = await RecordingServer.StartAsync();
        _app = await LifelineApp.StartAsync($"--Lifeline:Checks:Canary:0={_canary.Url("/canary")}");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _target.DisposeAsync();
        await _receiver.DisposeAsync();
        await _canary.DisposeAsync();
    }

    private async Task<JsonObject> CheckAsync(string id)
    {
        var sweep = _app.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();
        return await _app.GetJsonAsync($"api/v1/monitors/{id}");
    }

    [Fact]
    public async Task A_failed_check_while_the_canary_fails_too_is_unknown_and_pages_nobody()
    {
        var channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"));
        _target.Responder = _ => new Reply(500, "{}");
        _canary.Responder = _ => new Reply(502, "{}");
        var monitor = await _app.CreateMonitorAsync(new { name = "api", kind = "http", target = _target.Url("/"), conditions = new[] { "[STATUS] == 200" }, channels = new[] { channel } });
        var id = monitor["id"]!.GetValue<string>();

        var after = await CheckAsync(id);

        after["status"]!.GetValue<string>().ShouldBe("new");
        var events = (await _app.GetArrayAsync($"api/v1/monitors/{id}/events"));
        events[0]!["result"]!.GetValue<string>().ShouldBe("unknown");
        events[0]!["msg"]!.GetValue<string>().ShouldContain("[STATUS] (500) == 200");
        _canary.Requests.Count.ShouldBe(1);
        (await _app.GetArrayAsync($"api/v1/monitors/{id}/incidents")).ShouldBeEmpty();
        _receiver.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_check_while_the_canary_passes_counts_as_a_failure()
    {
        _target.Responder = _ => new Reply(500, "{}");
        var monitor = await _app.CreateMonitorAsync(new { name = "api", kind = "http", target = _target.Url("/"), conditions = new[] { "[STATUS] == 200" } });

        var after = await CheckAsync(monitor["id"]!.GetValue<string>());

        after["status"]!.GetValue<string>().ShouldBe("down");
        after["lastMessage"]!.GetValue<string>().ShouldBe("[STATUS] (500) == 200");
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresActiveMonitorTests : ActiveMonitorTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
