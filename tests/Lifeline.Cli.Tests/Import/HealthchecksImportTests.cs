using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Import;

/// <summary>
/// <c>lifeline import healthchecks</c> against a small real HTTP server answering as Healthchecks'
/// Management API v3 documents it (the shapes of templates/docs/api.md's examples).
/// </summary>
public sealed class HealthchecksImportTests : IAsyncLifetime
{
    private const string ApiKey = "hc-read-write-key";
    private const string Backup = "803f680d-e89b-492b-82ef-2be7b774a92d";
    private const string Reports = "f618072a-7bde-4eee-af63-71a77c5723bc";

    private RecordingServer _healthchecks = null!;

    public async Task InitializeAsync()
    {
        _healthchecks = await RecordingServer.StartAsync();
        _healthchecks.Responder = request => request.Headers.GetValueOrDefault("x-api-key") != ApiKey
            ? new Reply(401, """{"error": "missing api key"}""")
            : request.Path switch
            {
                "/api/v3/checks/" => new Reply(200, Checks(_healthchecks.BaseUri.ToString().TrimEnd('/'))),
                "/api/v3/channels/" => new Reply(200, """
                    {"channels": [
                      {"id": "4ec5a071-2d08-4baa-898a-eb4eb3cd6941", "name": "My Work Email", "kind": "email"},
                      {"id": "746a083e-f542-4554-be1a-707ce16d3acc", "name": "My Phone", "kind": "sms"}
                    ]}
                    """),
                _ => new Reply(404, """{"error": "not found"}"""),
            };
    }

    public async Task DisposeAsync() => await _healthchecks.DisposeAsync();

    private static string Checks(string root) => $$"""
        {"checks": [
          {
            "name": "Database Backup", "slug": "database-backup", "tags": "production db", "desc": "Runs ~/db-backup.sh",
            "grace": 1200, "n_pings": 7, "status": "down", "started": false,
            "last_ping": "2020-03-23T10:19:32+00:00", "next_ping": null, "manual_resume": false, "methods": "",
            "subject": "", "subject_fail": "", "start_kw": "", "success_kw": "", "failure_kw": "",
            "filter_subject": false, "filter_body": false, "last_duration": 0,
            "uuid": "{{Backup}}",
            "ping_url": "{{root}}/ping/{{Backup}}",
            "update_url": "{{root}}/api/v3/checks/{{Backup}}",
            "pause_url": "{{root}}/api/v3/checks/{{Backup}}/pause",
            "resume_url": "{{root}}/api/v3/checks/{{Backup}}/resume",
            "channels": "4ec5a071-2d08-4baa-898a-eb4eb3cd6941",
            "schedule": "15 5 * * *", "tz": "Europe/Riga"
          },
          {
            "name": "Reports", "slug": "reports", "tags": "prod www", "desc": "", "grace": 60, "n_pings": 0,
            "status": "paused", "started": false, "last_ping": null, "next_ping": null, "manual_resume": true,
            "methods": "POST", "subject": "", "subject_fail": "", "start_kw": "", "success_kw": "", "failure_kw": "",
            "filter_subject": false, "filter_body": false,
            "uuid": "{{Reports}}",
            "ping_url": "{{root}}/ping/{{Reports}}",
            "update_url": "{{root}}/api/v3/checks/{{Reports}}",
            "pause_url": "{{root}}/api/v3/checks/{{Reports}}/pause",
            "resume_url": "{{root}}/api/v3/checks/{{Reports}}/resume",
            "channels": "", "timeout": 3600
          },
          {
            "name": "Filesystem Backup", "slug": "filesystem-backup", "tags": "backup fs", "desc": "", "grace": 600,
            "n_pings": 1, "status": "up", "started": false, "last_ping": "2020-03-24T14:02:03+00:00",
            "next_ping": "2020-03-24T15:02:03+00:00", "manual_resume": false, "methods": "",
            "success_kw": "", "failure_kw": "", "filter_subject": false, "filter_body": false,
            "unique_key": "a6c7b0a8a66bed0df66abfdab3c77736861703ee", "timeout": 3600
          }
        ]}
        """;

    private string[] Source => ["healthchecks", "--url", _healthchecks.BaseUri.ToString(), "--api-key", ApiKey];

    [Fact]
    public async Task The_dry_run_shows_each_check_with_its_uuid_kept_and_says_why_integrations_and_read_only_checks_stay_behind()
    {
        var run = await ImportRun.InvokeAsync(Source);

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Row("check \"Database Backup\"").ShouldContain("push monitor \"Database Backup\", token 803f68… kept, slug database-backup");
        run.Row("check \"Reports\"").ShouldContain("pings are not limited to POST");
        run.Row("check \"Reports\"").ShouldContain(", paused");
        run.Row("check \"Filesystem Backup\"").ShouldContain("a read-only API key hides it");
        run.Row("integration \"My Work Email\"").ShouldContain("does not give an integration's address or secret");
        run.Row("check \"Database Backup\"").ShouldContain("not linked to integration \"My Work Email\"");
        run.Output.ShouldContain("set Lifeline:PingKey to the ping key");
        _healthchecks.Requests.ShouldAllBe(r => r.Method == "GET" && r.Headers["x-api-key"] == ApiKey);
    }

    [Fact]
    public async Task After_the_import_the_checks_uuid_and_slug_ping_URLs_reach_the_imported_monitors()
    {
        await using var server = await ImportServer.StartAsync();

        var run = await ImportRun.ApplyAsync(server, Source);

        run.ExitCode.ShouldBe(0, run.Output + run.Errors);
        var monitors = await server.MonitorsAsync();
        var backup = monitors.Single(m => m["pushToken"]!.GetValue<string>() == Backup);
        backup["name"]!.GetValue<string>().ShouldBe("Database Backup");
        backup["slug"]!.GetValue<string>().ShouldBe("database-backup");
        backup["schedule"]!.GetValue<string>().ShouldBe("15 5 * * *");
        backup["tz"]!.GetValue<string>().ShouldBe("Europe/Riga");
        backup["grace"]!.GetValue<double>().ShouldBe(1200);
        backup["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["production", "db"]);
        var reports = monitors.Single(m => m["pushToken"]!.GetValue<string>() == Reports);
        reports["period"]!.GetValue<double>().ShouldBe(3600);
        reports["status"]!.GetValue<string>().ShouldBe("paused");

        // A Healthchecks client's URLs, with only the host changed: by UUID, then by ping key and slug.
        using var byUuid = await server.Anonymous.PostAsync($"ping/{Backup}", new StringContent("backup finished"));
        ((int)byUuid.StatusCode).ShouldBe(200);
        (await byUuid.Content.ReadAsStringAsync()).ShouldBe("OK");
        var pingKey = (await server.GetJsonAsync("api/v1/status"))["pingKey"]!.GetValue<string>();
        using var bySlug = await server.Anonymous.GetAsync($"ping/{pingKey}/database-backup/fail");
        ((int)bySlug.StatusCode).ShouldBe(200);
        var events = (await server.GetJsonAsync($"api/v1/monitors/{backup["id"]}/events?limit=10")).AsArray();
        events.Select(e => e!["type"]!.GetValue<string>()).ShouldBe(["fail", "success"]);
        events[1]!["body"]!.GetValue<string>().ShouldBe("backup finished");
    }

    [Fact]
    public async Task A_second_apply_from_the_same_project_changes_nothing()
    {
        await using var server = await ImportServer.StartAsync();
        (await ImportRun.ApplyAsync(server, Source)).ExitCode.ShouldBe(0);
        var before = (await server.MonitorsAsync()).Select(m => m.ToJsonString()).ToList();

        var again = await ImportRun.ApplyAsync(server, Source);

        again.ExitCode.ShouldBe(0, again.Errors);
        again.Output.ShouldContain("0 created, 2 unchanged");
        (await server.MonitorsAsync()).Select(m => m.ToJsonString()).ShouldBe(before);
    }

    [Fact]
    public async Task A_refused_Healthchecks_key_ends_with_exit_code_1_and_a_hint()
    {
        var run = await ImportRun.InvokeAsync("healthchecks", "--url", _healthchecks.BaseUri.ToString(), "--api-key", "wrong");

        run.ExitCode.ShouldBe(1);
        run.Errors.ShouldContain("Healthchecks refused the API key (401)");
    }
}
