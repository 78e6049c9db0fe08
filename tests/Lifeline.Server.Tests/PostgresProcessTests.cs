using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;
using Npgsql;

namespace Lifeline.Server.Tests;

/// <summary>The real lifeline process on a real PostgreSQL (<c>--postgres</c>), one node.</summary>
public sealed class PostgresProcessTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private PostgresServer _server = null!;
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _database = await _server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _temp.Dispose();
    }

    private Task<LifelineProcess> StartAsync() =>
        LifelineProcess.StartAsync(_temp.Path, null, "--postgres", _database.ConnectionString);

    private static async Task<JsonObject> PostAsync(HttpClient admin, string path, object body)
    {
        using var response = await admin.PostAsJsonAsync(path, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static string TypeOf(RecordedRequest r) => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>();

    [Fact]
    public async Task A_push_monitor_on_postgres_alerts_down_and_up_and_keeps_its_events_across_a_kill_9()
    {
        await using var receiver = await RecordingServer.StartAsync();
        string id;
        await using (var lifeline = await StartAsync())
        {
            var channel = await PostAsync(lifeline.Admin, "api/v1/channels", new { kind = "webhook", name = "hook", url = receiver.Url("/hook") });
            var monitor = await PostAsync(lifeline.Admin, "api/v1/monitors",
                new { name = "backup", period = 3600, channels = new[] { channel["id"]!.GetValue<string>() } });
            id = monitor["id"]!.GetValue<string>();
            var token = monitor["pushToken"]!.GetValue<string>();

            (await lifeline.Anonymous.GetAsync($"api/push/{token}?status=up&msg=first")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await lifeline.Anonymous.GetAsync($"api/push/{token}?status=down&msg=backup-failed")).StatusCode.ShouldBe(HttpStatusCode.OK);
            TypeOf((await receiver.WaitForAsync(1))[0]).ShouldBe("monitor.down");
            (await lifeline.Anonymous.GetAsync($"api/push/{token}?status=up&msg=backup-done")).StatusCode.ShouldBe(HttpStatusCode.OK);
            TypeOf((await receiver.WaitForAsync(2))[1]).ShouldBe("monitor.up");

            lifeline.Output.ShouldContain("Store open: postgres 127.0.0.1");
            await lifeline.KillHardAsync();
        }

        await using var restarted = await StartAsync();
        var stored = JsonNode.Parse(await restarted.Admin.GetStringAsync($"api/v1/monitors/{id}"))!;
        stored["name"]!.GetValue<string>().ShouldBe("backup");
        stored["status"]!.GetValue<string>().ShouldBe("up");
        var events = JsonNode.Parse(await restarted.Admin.GetStringAsync($"api/v1/monitors/{id}/events?limit=100"))!.AsArray();
        events.Select(e => e!["msg"]?.GetValue<string>()).ShouldBe(["first", "backup-failed", "backup-done"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_database_lost_while_running_answers_pushes_503_fails_healthz_and_everything_resumes_when_it_returns()
    {
        await using var lifeline = await StartAsync();
        var monitor = await PostAsync(lifeline.Admin, "api/v1/monitors", new { name = "job", period = 3600 });
        var token = monitor["pushToken"]!.GetValue<string>();
        (await lifeline.Anonymous.GetAsync($"api/push/{token}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await _database.TakeAwayAsync();
        using (var push = await lifeline.Anonymous.GetAsync($"api/push/{token}?msg=lost"))
        {
            push.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }
        using (var health = await lifeline.Anonymous.GetAsync("healthz"))
        {
            health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await health.Content.ReadAsStringAsync()).ShouldContain("PostgreSQL unreachable");
        }

        await _database.BringBackAsync();
        await Eventually.GetAsync(async () => (await lifeline.Anonymous.GetAsync($"api/push/{token}?msg=back")).StatusCode,
            code => code == HttpStatusCode.OK, TimeSpan.FromSeconds(20));
        await Eventually.GetAsync(async () => (await lifeline.Anonymous.GetAsync("healthz")).StatusCode,
            code => code == HttpStatusCode.OK, TimeSpan.FromSeconds(20));
        lifeline.Output.ShouldNotContain("at Lifeline.");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_at_start_with_exit_2_naming_the_credentials_and_not_the_password()
    {
        const string Wrong = "Wrong-Secret-9f3a";
        var (code, output) = await LifelineProcess.RunToExitAsync(_temp.Path, TimeSpan.FromSeconds(60),
            "--postgres", _server.ConnectionStringAs(PostgresServer.PasswordRole, Wrong));

        code.ShouldBe(2, output);
        output.ShouldContain("lifeline: cannot connect to PostgreSQL: credentials");
        output.ShouldContain(PostgresServer.PasswordRole);
        output.ShouldNotContain(Wrong);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_refused_at_start_with_exit_2_naming_the_database()
    {
        var missing = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Database = "no_such_lifeline_db", Password = "Secret-In-String-1" };
        var (code, output) = await LifelineProcess.RunToExitAsync(_temp.Path, TimeSpan.FromSeconds(60), "--postgres", missing.ConnectionString);

        code.ShouldBe(2, output);
        output.ShouldContain("lifeline: cannot connect to PostgreSQL: database \"no_such_lifeline_db\"");
        output.ShouldNotContain("Secret-In-String-1");
    }

    [Fact]
    public async Task A_closed_port_is_refused_at_start_with_exit_2_naming_the_host_and_port()
    {
        var port = LifelineProcess.FreePort();
        var closed = $"Host=127.0.0.1;Port={port};Database=lifeline;Username=lifeline;Password=Secret-In-String-2;Timeout=5";
        var (code, output) = await LifelineProcess.RunToExitAsync(_temp.Path, TimeSpan.FromSeconds(60), "--postgres", closed);

        code.ShouldBe(2, output);
        output.ShouldContain($"lifeline: cannot connect to PostgreSQL: host 127.0.0.1:{port}");
        output.ShouldNotContain("Secret-In-String-2");
        // A refused start is that one line, not an outage logged as if the server had been running.
        output.ShouldNotContain("/healthz fails");
    }
}
