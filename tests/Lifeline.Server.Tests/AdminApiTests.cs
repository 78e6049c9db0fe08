using Lifeline.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests;

public class AdminApiTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await StartAppAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Error)> PostAsync(string json)
    {
        using var response = await _app.Admin.PostAsync("api/v1/monitors", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var error = response.IsSuccessStatusCode ? "" : JsonNode.Parse(text)!["error"]!.GetValue<string>();
        return (response.StatusCode, error);
    }

    [Fact]
    public async Task Admin_routes_refuse_a_missing_or_wrong_key_with_401()
    {
        using var missing = await _app.Anonymous.GetAsync("api/v1/monitors");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/v1/status") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key-at-all") } };
        using var wrongResponse = await _app.Anonymous.SendAsync(wrong);

        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongResponse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_read_only_key_can_read_but_gets_403_on_writes()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "grafana", readOnly = true });
        var key = JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        using var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        using var read = await client.GetAsync("api/v1/monitors");
        using var write = await client.PostAsJsonAsync("api/v1/monitors", new { name = "x" });

        create.StatusCode.ShouldBe(HttpStatusCode.Created);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        write.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_read_only_key_sees_no_push_tokens_and_no_ping_key()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "watched" });
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "grafana", readOnly = true });
        using var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());

        var one = JsonNode.Parse(await client.GetStringAsync($"api/v1/monitors/{monitor["id"]!.GetValue<string>()}"))!;
        var list = JsonNode.Parse(await client.GetStringAsync("api/v1/monitors"))!;
        var status = JsonNode.Parse(await client.GetStringAsync("api/v1/status"))!;

        one["status"]!.GetValue<string>().ShouldBe("new");
        one["pushToken"].ShouldBeNull();
        one["pushUrl"].ShouldBeNull();
        list["items"]![0]!["pingUrl"].ShouldBeNull();
        status["pingKey"].ShouldBeNull();
        (await _app.GetJsonAsync("api/v1/status"))["pingKey"].ShouldNotBeNull();
    }

    [Fact]
    public async Task A_monitor_keeps_its_description_through_create_and_patch()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "backup", description = "Runs ~/db-backup.sh" });
        var id = monitor["id"]!.GetValue<string>();

        using var patch = await _app.Admin.PatchAsJsonAsync($"api/v1/monitors/{id}", new { description = (string?)null });
        var (badStatus, badError) = await PostAsync("""{"name": "x", "description": 5}""");

        monitor["description"]!.GetValue<string>().ShouldBe("Runs ~/db-backup.sh");
        patch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.GetJsonAsync($"api/v1/monitors/{id}"))["description"].ShouldBeNull();
        badStatus.ShouldBe(HttpStatusCode.BadRequest);
        badError.ShouldContain("description");
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "ci" });
        var key = JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();

        var text = new StringBuilder();
        if (_app.PostgresConnectionString is { } postgres)
        {
            // Every row of every table, as text.
            await using var connection = new Npgsql.NpgsqlConnection(postgres);
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new Npgsql.NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            foreach (var table in tables)
            {
                await using var rows = new Npgsql.NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
                await using var reader = await rows.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    text.AppendLine(reader.GetString(0));
                }
            }
        }
        else
        {
            // The database and its write-ahead log, read while the server runs.
            // (Not the folder's lock file: it holds only the server's pid, and its lock refuses readers.)
            foreach (var file in Directory.GetFiles(_app.Folder).Where(f => Path.GetFileName(f) != Lifeline.Storage.Sqlite.DataFolderLock.FileName))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                text.Append(Encoding.Latin1.GetString(memory.ToArray()));
            }
        }

        text.ToString().ShouldContain("ci");
        text.ToString().ShouldNotContain(key);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{}", "name is required")]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":5}", "name")]
    [InlineData("{\"name\":\"a\",\"period\":-5}", "period")]
    [InlineData("{\"name\":\"a\",\"period\":\"60\"}", "period")]
    [InlineData("{\"name\":\"a\",\"grace\":-1}", "grace")]
    [InlineData("{\"name\":\"a\",\"kind\":\"smtp\"}", "kind")]
    [InlineData("{\"name\":\"a\",\"schedule\":\"61 * * * *\"}", "schedule")]
    [InlineData("{\"name\":\"a\",\"schedule\":\"0 3 * * *\",\"tz\":\"Nowhere/City\"}", "tz")]
    [InlineData("{\"name\":\"a\",\"schedule\":\"0 9 * * 1#6\"}", "schedule")]
    [InlineData("{\"name\":\"a\",\"schedule\":\"0 9 L-2 * *\"}", "schedule")]
    [InlineData("{\"name\":\"a\",\"schedule\":\"0 9 * * FRIL\"}", "schedule")]
    [InlineData("{\"name\":\"a\",\"tags\":\"prod\"}", "tags")]
    [InlineData("{\"name\":\"a\",\"channels\":[\"nope\"]}", "channels")]
    [InlineData("{\"name\":\"a\",\"manualResume\":\"yes\"}", "manualResume")]
    [InlineData("{\"name\":\"a\",\"slug\":\"Has Spaces\"}", "slug")]
    [InlineData("{\"name\":\"a\",\"pushToken\":\"short\"}", "pushToken")]
    [InlineData("{\"name\":\"a\",\"kind\":\"http\"}", "target")]
    public async Task Bad_monitor_fields_are_a_400_naming_the_field(string json, string mentions)
    {
        var (status, error) = await PostAsync(json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        error.ShouldContain(mentions);
    }

    [Theory]
    [InlineData("0 9 LW * *", "Europe/Paris", "2026-01-30T08:00:00Z")]
    [InlineData("30 8 * * 5L", "America/New_York", "2026-01-30T13:30:00Z")]
    [InlineData("0 7 * * MON#2", "Australia/Lord_Howe", "2026-01-11T20:00:00Z")]
    public async Task Healthchecks_cron_extensions_are_accepted_and_set_the_deadline(string schedule, string tz, string deadline)
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "pasted", schedule, tz });

        using var ping = await _app.Anonymous.GetAsync($"ping/{monitor["pushToken"]!.GetValue<string>()}");
        using var read = await _app.Admin.GetAsync($"api/v1/monitors/{monitor["id"]!.GetValue<string>()}");

        ping.StatusCode.ShouldBe(HttpStatusCode.OK);
        monitor["schedule"]!.GetValue<string>().ShouldBe(schedule);
        var stored = JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        DateTimeOffset.Parse(stored["nextDeadlineAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(DateTimeOffset.Parse(deadline, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_created_push_monitor_carries_its_urls_and_a_token_of_at_least_128_bits()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "backup", period = 300, grace = 60, tags = new[] { "db" } });

        var token = monitor["pushToken"]!.GetValue<string>();
        token.Length.ShouldBeGreaterThanOrEqualTo(22);
        monitor["pushUrl"]!.GetValue<string>().ShouldBe($"{_app.BaseUri}api/push/{token}");
        monitor["pingUrl"]!.GetValue<string>().ShouldBe($"{_app.BaseUri}ping/{token}");
        monitor["status"]!.GetValue<string>().ShouldBe("new");
        monitor["period"]!.GetValue<double>().ShouldBe(300);
        monitor["grace"]!.GetValue<double>().ShouldBe(60);
        monitor["createdAt"]!.GetValue<string>().ShouldEndWith("Z");
    }

    [Fact]
    public async Task The_public_url_setting_builds_the_push_urls()
    {
        await _app.DisposeAsync();
        _app = await StartAppAsync("--Lifeline:PublicUrl=https://status.example.com/");

        var monitor = await _app.CreateMonitorAsync(new { name = "x" });

        monitor["pushUrl"]!.GetValue<string>().ShouldStartWith("https://status.example.com/api/push/");
    }

    [Fact]
    public async Task An_imported_token_is_kept_so_existing_scripts_keep_working()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "old", pushToken = "kuma-Token_1234" });

        using var push = await _app.Anonymous.GetAsync("api/push/kuma-Token_1234?status=up");

        monitor["pushToken"]!.GetValue<string>().ShouldBe("kuma-Token_1234");
        push.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_seeds_timeout_field_is_understood_as_the_period()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "seed", timeout = 120 });

        monitor["period"]!.GetValue<double>().ShouldBe(120);
    }

    [Fact]
    public async Task A_monitor_can_be_changed_paused_resumed_and_deleted()
    {
        var id = (await _app.CreateMonitorAsync(new { name = "a" }))["id"]!.GetValue<string>();

        using var patch = await _app.Admin.PatchAsync($"api/v1/monitors/{id}", JsonContent.Create(new { name = "b", schedule = "*/5 * * * *", tz = "Europe/Paris" }));
        using var pause = await _app.Admin.PostAsync($"api/v1/monitors/{id}/pause", null);
        var paused = JsonNode.Parse(await pause.Content.ReadAsStringAsync())!["status"]!.GetValue<string>();
        using var resume = await _app.Admin.PostAsync($"api/v1/monitors/{id}/resume", null);
        using var delete = await _app.Admin.DeleteAsync($"api/v1/monitors/{id}");
        using var gone = await _app.Admin.GetAsync($"api/v1/monitors/{id}");

        var patched = JsonNode.Parse(await patch.Content.ReadAsStringAsync())!;
        patched["name"]!.GetValue<string>().ShouldBe("b");
        patched["schedule"]!.GetValue<string>().ShouldBe("*/5 * * * *");
        patched["tz"]!.GetValue<string>().ShouldBe("Europe/Paris");
        paused.ShouldBe("paused");
        resume.StatusCode.ShouldBe(HttpStatusCode.OK);
        delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_ids_are_404_everywhere()
    {
        foreach (var path in new[] { "api/v1/monitors/nope", "api/v1/monitors/nope/events", "api/v1/monitors/nope/incidents", "api/v1/channels/nope" })
        {
            using var response = await _app.Admin.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
        using var pause = await _app.Admin.PostAsync("api/v1/monitors/nope/pause", null);
        pause.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_list_filters_and_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await _app.CreateMonitorAsync(new { name = $"job-{i}", tags = new[] { i < 2 ? "nightly" : "hourly" } });
        }

        var first = await _app.GetJsonAsync("api/v1/monitors?limit=3");
        var second = await _app.GetJsonAsync($"api/v1/monitors?limit=3&cursor={first["nextCursor"]!.GetValue<string>()}");
        var tagged = await _app.GetJsonAsync("api/v1/monitors?tag=nightly");
        using var badStatus = await _app.Admin.GetAsync("api/v1/monitors?status=sleepy");
        using var badLimit = await _app.Admin.GetAsync("api/v1/monitors?limit=0");

        first["items"]!.AsArray().Count.ShouldBe(3);
        second["items"]!.AsArray().Count.ShouldBe(2);
        second["nextCursor"].ShouldBeNull();
        tagged["items"]!.AsArray().Count.ShouldBe(2);
        badStatus.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badLimit.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Status_reports_the_ping_key_server_scheduler_counts_and_monitors()
    {
        await _app.CreateMonitorAsync(new { name = "a" });

        var status = await _app.GetJsonAsync("api/v1/status");

        status["pingKey"]!.GetValue<string>().Length.ShouldBeGreaterThan(10);
        status["server"]!["version"].ShouldNotBeNull();
        status["server"]!["startedAt"]!.GetValue<string>().ShouldEndWith("Z");
        status["scheduler"]!["status"].ShouldNotBeNull();
        status["counts"]!["new"]!.GetValue<int>().ShouldBe(1);
        status["monitors"]!.AsArray().Single()!["name"]!.GetValue<string>().ShouldBe("a");
    }

    [Fact]
    public async Task Healthz_answers_health_json_without_auth()
    {
        using var response = await _app.Anonymous.GetAsync("healthz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/health+json");
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>().ShouldBe("pass");
    }

    [Fact]
    public async Task Metrics_are_prometheus_text()
    {
        await _app.CreateMonitorAsync(new { name = "a" });

        using var response = await _app.Anonymous.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        text.ShouldContain("# TYPE lifeline_monitors gauge");
        text.ShouldContain("lifeline_monitors{status=\"new\"} 1");
    }

    [Fact]
    public async Task A_channel_of_an_unknown_kind_or_without_its_url_is_a_400()
    {
        using var unknown = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "pigeon", name = "x" });
        using var noUrl = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "x" });

        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("kind");
        noUrl.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noUrl.Content.ReadAsStringAsync()).ShouldContain("url");
    }

    [Fact]
    public async Task A_channel_secret_is_never_shown_back()
    {
        var id = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook", "very-secret-value");

        var channel = await _app.GetJsonAsync($"api/v1/channels/{id}");

        channel.ToJsonString().ShouldNotContain("very-secret-value");
    }

    [Fact]
    public async Task A_monitor_whose_channel_was_deleted_can_still_be_edited()
    {
        var channel = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");
        var id = (await _app.CreateMonitorAsync(new { name = "a", channels = new[] { channel } }))["id"]!.GetValue<string>();
        await _app.Admin.DeleteAsync($"api/v1/channels/{channel}");

        using var rename = await _app.Admin.PatchAsync($"api/v1/monitors/{id}", JsonContent.Create(new { name = "b" }));
        using var addMissing = await _app.Admin.PatchAsync($"api/v1/monitors/{id}", JsonContent.Create(new { channels = new[] { channel, "nope" } }));

        rename.StatusCode.ShouldBe(HttpStatusCode.OK);
        addMissing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await addMissing.Content.ReadAsStringAsync()).ShouldContain("nope");
    }

    [Fact]
    public async Task A_slack_webhook_url_is_shown_only_as_its_host_and_survives_an_edit_sent_back_masked()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "slack", name = "ops", url = "https://hooks.slack.com/services/T0/B0/secretpart" });
        var created = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        var id = created["id"]!.GetValue<string>();

        using var edit = await _app.Admin.PatchAsync($"api/v1/channels/{id}", JsonContent.Create(new { name = "ops-2", url = created["url"]!.GetValue<string>() }));
        var stored = await _app.Service<IChannelStore>().FindAsync(id, CancellationToken.None);

        created["url"]!.GetValue<string>().ShouldBe("https://hooks.slack.com/********");
        edit.StatusCode.ShouldBe(HttpStatusCode.OK);
        stored!.Settings["url"]!.GetValue<string>().ShouldBe("https://hooks.slack.com/services/T0/B0/secretpart");
        stored.Name.ShouldBe("ops-2");
    }

    private async Task<HttpClient> ReadOnlyClientAsync()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "grafana", readOnly = true });
        var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
        return client;
    }

    private static async Task<(HttpStatusCode Status, string Error)> SendAsync(HttpClient client, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var error = response.IsSuccessStatusCode ? "" : JsonNode.Parse(text)?["error"]?.GetValue<string>() ?? text;
        return (response.StatusCode, error);
    }

    [Fact]
    public async Task A_read_only_key_sees_no_check_header_values_bodies_or_credentials_in_targets()
    {
        var created = await _app.CreateMonitorAsync(new
        {
            name = "api",
            kind = "http",
            target = "https://probe:hunter2-pass@example.com/health?token=query-secret&verbose=1",
            method = "POST",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer header-secret", ["X-Trace"] = "trace-secret" },
            body = "{\"password\":\"body-secret\"}",
        });
        var id = created["id"]!.GetValue<string>();
        using var client = await ReadOnlyClientAsync();

        var one = JsonNode.Parse(await client.GetStringAsync($"api/v1/monitors/{id}"))!;
        var list = await client.GetStringAsync("api/v1/monitors");
        var status = await client.GetStringAsync("api/v1/status");
        var admin = await _app.GetJsonAsync($"api/v1/monitors/{id}");

        foreach (var secret in new[] { "hunter2-pass", "probe:", "query-secret", "header-secret", "trace-secret", "body-secret" })
        {
            one.ToJsonString().ShouldNotContain(secret);
            list.ShouldNotContain(secret);
            status.ShouldNotContain(secret);
            admin.ToJsonString().ShouldContain(secret);
        }
        one["target"]!.GetValue<string>().ShouldBe("https://********@example.com/health?token=********&verbose=********");
        one["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("********");
        one["body"]!.GetValue<string>().ShouldBe("********");
        one["method"]!.GetValue<string>().ShouldBe("POST");
        admin["target"]!.GetValue<string>().ShouldBe("https://probe:hunter2-pass@example.com/health?token=query-secret&verbose=1");
    }

    [Fact]
    public async Task A_read_only_key_sees_channel_urls_as_their_host_and_no_tokens()
    {
        object[] channels =
        [
            new { kind = "webhook", name = "hook", url = "http://127.0.0.1:9/hook/path-secret?key=query-secret", secret = "signing-secret" },
            new { kind = "ntfy", name = "ntfy", url = "https://ntfy.example.com/topic-secret", token = "ntfy-secret" },
            new { kind = "ntfy", name = "ntfy-root", url = "https://ntfy.example.com", topic = "topic2-secret" },
            new { kind = "gotify", name = "gotify", url = "https://user:gotify-pass@gotify.example.com/", token = "gotify-secret" },
            new { kind = "telegram", name = "tg", botToken = "123456:telegram-secret", chatId = "42", apiBase = "https://bot:api-pass@tg.example.com/" },
            new { kind = "pagerduty", name = "pd", routingKey = "routing-secret" },
        ];
        foreach (var channel in channels)
        {
            using var response = await _app.Admin.PostAsJsonAsync("api/v1/channels", channel);
            response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
        using var client = await ReadOnlyClientAsync();

        var list = JsonNode.Parse(await client.GetStringAsync("api/v1/channels"))!.AsArray();
        var hook = list.Single(c => c!["kind"]!.GetValue<string>() == "webhook")!;
        var one = await client.GetStringAsync($"api/v1/channels/{hook["id"]!.GetValue<string>()}");
        var admin = await _app.GetArrayAsync("api/v1/channels");

        foreach (var secret in new[] { "path-secret", "query-secret", "signing-secret", "topic-secret", "ntfy-secret", "topic2-secret", "gotify-pass", "gotify-secret", "telegram-secret", "api-pass", "routing-secret" })
        {
            list.ToJsonString().ShouldNotContain(secret);
        }
        one.ShouldNotContain("path-secret");
        hook["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/********");
        admin.Single(c => c!["kind"]!.GetValue<string>() == "webhook")!["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/hook/path-secret?key=query-secret");
        admin.ToJsonString().ShouldContain("topic2-secret");
    }

    [Theory]
    [InlineData("POST", "api/v1/monitors", """{"name":"a","name":"b"}""", "'name'")]
    [InlineData("POST", "api/v1/monitors", """{"name":"a","kind":"http","target":"http://127.0.0.1:9/","headers":{"X-A":"1","X-A":"2"}}""", "'X-A'")]
    [InlineData("PATCH", "api/v1/monitors/{id}", """{"tags":["a"],"tags":["b"]}""", "'tags'")]
    [InlineData("POST", "api/v1/channels", """{"kind":"webhook","url":"http://127.0.0.1:9/a","url":"http://127.0.0.1:9/b"}""", "'url'")]
    [InlineData("PATCH", "api/v1/channels/{channel}", """{"name":"x","name":"y"}""", "'name'")]
    [InlineData("POST", "api/v1/keys", """{"name":"ci","readOnly":true,"readOnly":false}""", "'readOnly'")]
    public async Task A_body_with_a_duplicated_key_is_a_400_naming_the_key(string method, string path, string json, string mentions)
    {
        var id = (await _app.CreateMonitorAsync(new { name = "m" }))["id"]!.GetValue<string>();
        var channel = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");

        var (status, error) = await SendAsync(_app.Admin, new HttpMethod(method), path.Replace("{id}", id, StringComparison.Ordinal).Replace("{channel}", channel, StringComparison.Ordinal), json);

        status.ShouldBe(HttpStatusCode.BadRequest, error);
        error.ShouldContain(mentions);
        error.ShouldContain("more than once");
    }

    [Fact]
    public async Task A_condition_nested_twenty_thousand_deep_is_a_400_naming_it_and_the_server_lives_on()
    {
        var nested = string.Concat(Enumerable.Repeat("any(", 20_000)) + "200" + new string(')', 20_000);
        var json = new JsonObject { ["name"] = "deep", ["kind"] = "http", ["target"] = "http://127.0.0.1:9/", ["conditions"] = new JsonArray("[STATUS] < 400", "[STATUS] == " + nested) }.ToJsonString();

        var (status, error) = await PostAsync(json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        error.ShouldStartWith("conditions[1]: ");
        error.ShouldContain("nested too deeply");
        error.Length.ShouldBeLessThan(1000);
        // Alive: /healthz passes (on a busy machine the scheduler's first pass may still be under way).
        await Eventually.GetAsync(async () =>
        {
            using var health = await _app.Anonymous.GetAsync("healthz");
            return health.StatusCode;
        }, code => code == HttpStatusCode.OK, TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("[BODY].a[99999999999] == 1", "array index too large")]
    [InlineData("[RESPONSE_TIME] < 99999999999d", "number or a duration")]
    [InlineData("[STATUS] == 1e999", "expected a number")]
    public async Task A_condition_with_an_overflowing_number_is_a_400_naming_it(string condition, string mentions)
    {
        var json = new JsonObject { ["name"] = "big", ["kind"] = "http", ["target"] = "http://127.0.0.1:9/", ["conditions"] = new JsonArray(condition) }.ToJsonString();

        var (status, error) = await PostAsync(json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        error.ShouldStartWith("conditions[0]: ");
        error.ShouldContain(mentions);
    }

    [Theory]
    [InlineData("""{"headers":{"X-Token":"a\r\nX-Injected: 1"}}""", "headers: the value of 'X-Token'")]
    [InlineData("""{"headers":{"X-Token":"a\nb"}}""", "headers: the value of 'X-Token'")]
    [InlineData("""{"headers":{"X-Bad\r\nX-Injected":"1"}}""", "headers: 'X-Bad\\r\\nX-Injected' is not a valid header name")]
    [InlineData("""{"headers":{"Bad Name":"1"}}""", "headers: 'Bad Name'")]
    [InlineData("""{"method":"GET\r\nX-Injected: 1"}""", "method")]
    [InlineData("""{"method":"GET\n"}""", "method")]
    public async Task A_header_or_method_that_would_break_the_request_is_a_400_on_create_and_on_patch(string fields, string mentions)
    {
        var body = JsonNode.Parse(fields)!.AsObject();
        var create = new JsonObject { ["name"] = "api", ["kind"] = "http", ["target"] = "http://127.0.0.1:9/" };
        foreach (var (key, value) in body)
        {
            create[key] = value?.DeepClone();
        }
        var id = (await _app.CreateMonitorAsync(new { name = "api", kind = "http", target = "http://127.0.0.1:9/" }))["id"]!.GetValue<string>();

        var (created, createError) = await PostAsync(create.ToJsonString());
        var (patched, patchError) = await SendAsync(_app.Admin, HttpMethod.Patch, $"api/v1/monitors/{id}", fields);
        var stored = await _app.GetJsonAsync($"api/v1/monitors/{id}");

        created.ShouldBe(HttpStatusCode.BadRequest);
        createError.ShouldContain(mentions);
        patched.ShouldBe(HttpStatusCode.BadRequest);
        patchError.ShouldContain(mentions);
        stored["headers"]!.AsObject().Count.ShouldBe(0);
        stored["method"].ShouldBeNull();
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresAdminApiTests : AdminApiTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
