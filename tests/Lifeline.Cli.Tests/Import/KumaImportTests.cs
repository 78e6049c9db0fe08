using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.Data.Sqlite;

namespace Lifeline.Cli.Tests.Import;

/// <summary>
/// <c>lifeline import uptime-kuma</c> against a real kuma.db: Kuma's schema (Fixtures/kuma-schema.sql)
/// with monitors, notifications, links and tags as Kuma stores them.
/// </summary>
public sealed class KumaImportTests : IDisposable
{
    /// <summary>A push token as Kuma 2 makes them (32 characters).</summary>
    private const string PushToken = "Xq7LbN2vR9sK4mT1wY6zA3cD8fG5hJ0p";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Builds kuma.db with Kuma's schema and a team's typical set of monitors and notifications.</summary>
    private string KumaDb()
    {
        var path = Path.Combine(_folder.Path, "kuma.db");
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        Execute(db, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Import", "Fixtures", "kuma-schema.sql")));
        Execute(db, $$"""
            INSERT INTO user (id, username, password) VALUES (1, 'admin', 'x');
            INSERT INTO monitor (id, name, type, url, interval, maxretries, retry_interval, accepted_statuscodes_json, method, headers, user_id)
                VALUES (1, 'Website', 'http', 'https://www.example.com/', 60, 2, 30, '["200-299"]', 'GET', '{"X-Probe":"kuma"}', 1);
            INSERT INTO monitor (id, name, type, url, interval, keyword, invert_keyword, user_id)
                VALUES (2, 'Login page', 'keyword', 'https://app.example.com/login', 120, 'Sign in', 0, 1);
            INSERT INTO monitor (id, name, type, url, interval, json_path, expected_value, json_path_operator, user_id)
                VALUES (3, 'API health', 'json-query', 'https://api.example.com/health', 30, '$.status', 'UP', '==', 1);
            INSERT INTO monitor (id, name, type, hostname, port, interval, user_id)
                VALUES (4, 'Postgres port', 'port', 'db.internal', 5432, 60, 1);
            INSERT INTO monitor (id, name, type, hostname, dns_resolve_type, dns_resolve_server, port, interval, user_id)
                VALUES (5, 'DNS example.org', 'dns', 'example.org', 'A', '1.1.1.1', 53, 300, 1);
            INSERT INTO monitor (id, name, type, interval, maxretries, retry_interval, push_token, user_id, description)
                VALUES (6, 'Nightly backup', 'push', 86400, 1, 3600, '{{PushToken}}', 1, 'pg_dump to S3');
            INSERT INTO monitor (id, name, type, user_id) VALUES (7, 'Production', 'group', 1);
            INSERT INTO monitor (id, name, type, url, parent, user_id) VALUES (8, 'Shop', 'http', 'https://shop.example.com/', 7, 1);
            INSERT INTO monitor (id, name, type, docker_container, docker_host, user_id) VALUES (9, 'Redis container', 'docker', 'redis', 1, 1);
            INSERT INTO monitor (id, name, type, url, upside_down, user_id) VALUES (10, 'Old site gone', 'http', 'https://old.example.com/', 1, 1);
            INSERT INTO monitor (id, name, type, url, active, accepted_statuscodes_json, user_id)
                VALUES (11, 'Status 204', 'http', 'https://hooks.example.com/', 0, '["204","301"]', 1);

            INSERT INTO notification (id, name, user_id, config) VALUES
                (1, 'Ops Telegram', 1, '{"name":"Ops Telegram","type":"telegram","isDefault":false,"telegramBotToken":"123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11","telegramChatID":"-1001234567890","applyExisting":true}'),
                (2, 'Hook', 1, '{"name":"Hook","type":"webhook","webhookURL":"https://hooks.example.com/kuma","webhookContentType":"json"}'),
                (3, 'Mail ops', 1, '{"name":"Mail ops","type":"smtp","smtpHost":"smtp.example.com","smtpPort":587,"smtpFrom":"kuma@example.com","smtpTo":"ops@example.com, oncall@example.com"}'),
                (4, 'Signal group', 1, '{"name":"Signal group","type":"signal","signalURL":"http://signal:8080","signalNumber":"+100","signalRecipients":"+200"}');
            INSERT INTO monitor_notification (id, monitor_id, notification_id) VALUES (1, 6, 1), (2, 6, 2), (3, 1, 1), (4, 1, 4);

            INSERT INTO tag (id, name, color) VALUES (1, 'env', '#059669'), (2, 'critical', '#DC2626');
            INSERT INTO monitor_tag (monitor_id, tag_id, value) VALUES (6, 1, 'prod'), (6, 2, ''), (1, 2, NULL);
            """);
        return path;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task The_dry_run_lists_every_monitor_and_notification_with_what_it_becomes_and_why_the_rest_is_left()
    {
        var run = await ImportRun.InvokeAsync("uptime-kuma", "--db", KumaDb());

        run.ExitCode.ShouldBe(0, run.Errors);
        string Row(string source) => run.Row(source);
        Row("monitor #1 \"Website\"").ShouldContain("http monitor \"Website\" on https://www.example.com/");
        Row("monitor #3 \"API health\"").ShouldContain("http monitor");
        Row("monitor #4 \"Postgres port\"").ShouldContain("tcp monitor \"Postgres port\" on db.internal:5432");
        Row("monitor #5 \"DNS example.org\"").ShouldContain("dns monitor \"DNS example.org\" on example.org@1.1.1.1");
        Row("monitor #6 \"Nightly backup\"").ShouldContain("push monitor \"Nightly backup\", token Xq7LbN… kept");
        Row("monitor #7 \"Production\"").ShouldContain("Lifeline has no monitor groups; its 1 monitor(s) carry the tag \"Production\"");
        Row("monitor #9 \"Redis container\" (docker)").ShouldContain("Lifeline has no \"docker\" check");
        Row("monitor #10 \"Old site gone\"").ShouldContain("upside-down mode");
        Row("monitor #11 \"Status 204\"").ShouldContain(", paused");
        Row("notification #1 \"Ops Telegram\"").ShouldContain("telegram channel \"Ops Telegram\"");
        Row("notification #3 \"Mail ops\"").ShouldContain("SMTP comes from the Lifeline server's settings");
        Row("notification #4 \"Signal group\"").ShouldContain("Lifeline has no \"signal\" channel");
        Row("monitor #1 \"Website\"").ShouldContain("not linked to notification #4 \"Signal group\"");
        run.Output.ShouldContain("Dry run: nothing was written");
        run.Output.ShouldNotContain(PushToken, customMessage: "the table shows tokens shortened");
    }

    [Fact]
    public async Task After_the_import_Kumas_own_push_URL_is_accepted_and_recorded_on_the_imported_monitor()
    {
        await using var server = await ImportServer.StartAsync();

        var run = await ImportRun.ApplyAsync(server, "uptime-kuma", "--db", KumaDb());

        run.ExitCode.ShouldBe(0, run.Output + run.Errors);
        // What a Kuma push client sends, with only the host changed.
        using var push = await server.Anonymous.GetAsync($"api/push/{PushToken}?status=up&msg=OK&ping=");
        ((int)push.StatusCode).ShouldBe(200, await push.Content.ReadAsStringAsync());

        var monitors = await server.MonitorsAsync();
        var backup = monitors.Single(m => m["name"]!.GetValue<string>() == "Nightly backup");
        backup["pushToken"]!.GetValue<string>().ShouldBe(PushToken);
        backup["period"]!.GetValue<double>().ShouldBe(86400);
        backup["grace"]!.GetValue<double>().ShouldBe(3600);
        backup["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["env:prod", "critical"], ignoreOrder: true);
        var events = await server.GetJsonAsync($"api/v1/monitors/{backup["id"]}/events?limit=5");
        events.AsArray().ShouldContain(e => e!["msg"]!.GetValue<string>() == "OK" && e["ok"]!.GetValue<bool>());
        (await server.GetJsonAsync($"api/v1/monitors/{backup["id"]}"))["status"]!.GetValue<string>().ShouldBe("up");

        var channels = await server.ChannelsAsync();
        channels.Select(c => (c["kind"]!.GetValue<string>(), c["name"]!.GetValue<string>()))
            .ShouldBe([("telegram", "Ops Telegram"), ("webhook", "Hook"), ("email", "Mail ops")], ignoreOrder: true);
        var linked = backup["channels"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        linked.ShouldBe(channels.Where(c => c["name"]!.GetValue<string>() is "Ops Telegram" or "Hook").Select(c => c["id"]!.GetValue<string>()), ignoreOrder: true);

        var website = monitors.Single(m => m["name"]!.GetValue<string>() == "Website");
        website["kind"]!.GetValue<string>().ShouldBe("http");
        website["conditions"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["[STATUS] >= 200", "[STATUS] <= 299"]);
        website["retries"]!.GetValue<int>().ShouldBe(2);
        monitors.Single(m => m["name"]!.GetValue<string>() == "Login page")["conditions"]!.AsArray()
            .Select(c => c!.GetValue<string>()).ShouldContain("[BODY] contains \"Sign in\"");
        monitors.Single(m => m["name"]!.GetValue<string>() == "API health")["conditions"]!.AsArray()
            .Select(c => c!.GetValue<string>()).ShouldContain("[BODY].status == \"UP\"");
        monitors.Single(m => m["name"]!.GetValue<string>() == "Shop")["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldContain("Production");
        monitors.Single(m => m["name"]!.GetValue<string>() == "Status 204")["status"]!.GetValue<string>().ShouldBe("paused");
        monitors.ShouldNotContain(m => m["name"]!.GetValue<string>() == "Redis container");
    }

    [Fact]
    public async Task A_second_apply_changes_nothing_and_says_every_item_is_unchanged()
    {
        await using var server = await ImportServer.StartAsync();
        var db = KumaDb();
        (await ImportRun.ApplyAsync(server, "uptime-kuma", "--db", db)).ExitCode.ShouldBe(0);
        var monitorsBefore = (await server.MonitorsAsync()).Select(m => m.ToJsonString()).ToList();
        var channelsBefore = (await server.ChannelsAsync()).Select(c => c.ToJsonString()).ToList();

        var again = await ImportRun.ApplyAsync(server, "uptime-kuma", "--db", db);

        again.ExitCode.ShouldBe(0, again.Errors);
        again.Output.ShouldContain("0 created, 11 unchanged (already on the server), 4 not imported, 0 refused by the server.");
        (await server.MonitorsAsync()).Select(m => m.ToJsonString()).ShouldBe(monitorsBefore);
        (await server.ChannelsAsync()).Select(c => c.ToJsonString()).ShouldBe(channelsBefore);
    }

    [Fact]
    public async Task A_file_that_is_not_a_Kuma_database_is_refused_with_exit_code_1()
    {
        var path = Path.Combine(_folder.Path, "other.db");
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            Execute(db, "CREATE TABLE things (id INTEGER)");
        }

        var run = await ImportRun.InvokeAsync("uptime-kuma", "--db", path);

        run.ExitCode.ShouldBe(1);
        run.Errors.ShouldContain("is not an Uptime Kuma database: it has no monitor table");
    }

    [Fact]
    public async Task A_wrong_API_key_stops_the_apply_with_exit_code_2_and_writes_nothing()
    {
        await using var server = await ImportServer.StartAsync();

        var run = await ImportRun.InvokeAsync("uptime-kuma", "--db", KumaDb(), "--apply", "--server", server.BaseUri.ToString(), "--key", "wrong-key-0123456789");

        run.ExitCode.ShouldBe(2);
        run.Errors.ShouldContain("refused the API key (401)");
        (await server.MonitorsAsync()).ShouldBeEmpty();
    }
}
