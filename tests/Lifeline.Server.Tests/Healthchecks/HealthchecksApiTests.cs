using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests.Healthchecks;

/// <summary>
/// Healthchecks' Management API (v1, v2, v3) as its documentation and its clients use it: the
/// documented examples, read-only keys, pings and flips after real pings, and the calls of the
/// Terraform provider.
/// </summary>
public class HealthchecksApiTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private HttpClient _hc = null!;

    public async Task InitializeAsync()
    {
        _app = await StartAppAsync();
        _hc = new HttpClient { BaseAddress = _app.BaseUri };
        _hc.DefaultRequestHeaders.Add("X-Api-Key", LifelineApp.AdminKey);
    }

    public async Task DisposeAsync()
    {
        _hc.Dispose();
        await _app.DisposeAsync();
    }

    private string Base => _app.BaseUri.ToString().TrimEnd('/');

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, string json) => SendAsync(_hc, HttpMethod.Post, path, json);

    private async Task<JsonObject> CreateAsync(string json, string version = "v3")
    {
        var (status, body) = await PostAsync($"api/{version}/checks/", json);
        status.ShouldBe(HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    private async Task<HttpClient> ReadOnlyClientAsync()
    {
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "dashboard", readOnly = true });
        var key = JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static string Uuid(JsonObject check) => check["uuid"]!.GetValue<string>();

    [Fact]
    public async Task Creating_the_documented_example_answers_201_with_every_field_of_the_documented_response()
    {
        var check = await CreateAsync("""{"name": "Backups", "tags": "prod www", "timeout": 3600, "grace": 60}""");

        var uuid = Uuid(check);
        Guid.TryParse(uuid, out var parsed).ShouldBeTrue();
        parsed.Version.ShouldBe(4);
        check["name"]!.GetValue<string>().ShouldBe("Backups");
        check["slug"]!.GetValue<string>().ShouldBe("");
        check["tags"]!.GetValue<string>().ShouldBe("prod www");
        check["desc"]!.GetValue<string>().ShouldBe("");
        check["grace"]!.GetValue<int>().ShouldBe(60);
        check["timeout"]!.GetValue<int>().ShouldBe(3600);
        check["n_pings"]!.GetValue<int>().ShouldBe(0);
        check["status"]!.GetValue<string>().ShouldBe("new");
        check["started"]!.GetValue<bool>().ShouldBeFalse();
        check["last_ping"].ShouldBeNull();
        check["next_ping"].ShouldBeNull();
        check["manual_resume"]!.GetValue<bool>().ShouldBeFalse();
        check["methods"]!.GetValue<string>().ShouldBe("");
        check["subject"]!.GetValue<string>().ShouldBe("");
        check["subject_fail"]!.GetValue<string>().ShouldBe("");
        check["start_kw"]!.GetValue<string>().ShouldBe("");
        check["success_kw"]!.GetValue<string>().ShouldBe("");
        check["failure_kw"]!.GetValue<string>().ShouldBe("");
        check["filter_subject"]!.GetValue<bool>().ShouldBeFalse();
        check["filter_body"]!.GetValue<bool>().ShouldBeFalse();
        check["filter_http_body"]!.GetValue<bool>().ShouldBeFalse();
        check["filter_default_fail"]!.GetValue<bool>().ShouldBeFalse();
        check.ContainsKey("badge_url").ShouldBeTrue();
        check["ping_url"]!.GetValue<string>().ShouldBe($"{Base}/ping/{uuid}");
        check["update_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v3/checks/{uuid}");
        check["pause_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v3/checks/{uuid}/pause");
        check["resume_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v3/checks/{uuid}/resume");
        check["channels"]!.GetValue<string>().ShouldBe("");
        check.ContainsKey("schedule").ShouldBeFalse();
        check.ContainsKey("unique_key").ShouldBeFalse();
        // The check is a push monitor of Lifeline's own API, reached by its ping URL.
        (await _app.Anonymous.GetStringAsync($"ping/{uuid}")).ShouldBe("OK");
    }

    [Fact]
    public async Task The_key_may_come_as_api_key_in_the_body_and_a_missing_or_wrong_key_is_401()
    {
        var (created, _) = await SendAsync(_app.Anonymous, HttpMethod.Post, "api/v3/checks/", $$"""{"api_key": "{{LifelineApp.AdminKey}}", "name": "Backups"}""");
        var (missing, missingBody) = await SendAsync(_app.Anonymous, HttpMethod.Get, "api/v3/checks/");
        using var wrongClient = new HttpClient { BaseAddress = _app.BaseUri };
        wrongClient.DefaultRequestHeaders.Add("X-Api-Key", "this-is-not-a-key-of-this-server");
        var (wrong, wrongBody) = await SendAsync(wrongClient, HttpMethod.Get, "api/v3/checks/");

        created.ShouldBe(HttpStatusCode.Created);
        missing.ShouldBe(HttpStatusCode.Unauthorized);
        missingBody["error"]!.GetValue<string>().ShouldBe("missing api key");
        wrong.ShouldBe(HttpStatusCode.Unauthorized);
        wrongBody["error"]!.GetValue<string>().ShouldBe("wrong api key");
    }

    [Fact]
    public async Task Creating_with_unique_finds_the_existing_check_updates_it_and_answers_200()
    {
        var first = await CreateAsync("""{"name": "Backups", "tags": "prod", "timeout": 3600}""");

        var (status, second) = await PostAsync("api/v3/checks/", """{"name": "Backups", "timeout": 7200, "unique": ["name"]}""");
        var (other, third) = await PostAsync("api/v3/checks/", """{"name": "Other", "timeout": 7200, "unique": ["name", "timeout"]}""");

        status.ShouldBe(HttpStatusCode.OK);
        Uuid(second).ShouldBe(Uuid(first));
        second["timeout"]!.GetValue<int>().ShouldBe(7200);
        second["tags"]!.GetValue<string>().ShouldBe("prod");
        other.ShouldBe(HttpStatusCode.Created);
        Uuid(third).ShouldNotBe(Uuid(first));
        var list = JsonNode.Parse(await _hc.GetStringAsync("api/v3/checks/"))!["checks"]!.AsArray();
        list.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("""{"timeout": 10}""", "json validation error: timeout is too small")]
    [InlineData("""{"grace": 31536001}""", "json validation error: grace is too large")]
    [InlineData("""{"timeout": "60"}""", "json validation error: timeout is not a number")]
    [InlineData("""{"name": 5}""", "json validation error: name is not a string")]
    [InlineData("""{"name": null}""", "json validation error: name is not a string")]
    [InlineData("""{"manual_resume": "yes"}""", "json validation error: manual_resume is not a boolean")]
    [InlineData("""{"methods": "GET"}""", "json validation error: methods has unexpected value")]
    [InlineData("""{"slug": "Not A Slug"}""", "json validation error: slug does not match pattern")]
    [InlineData("""{"unique": "name"}""", "json validation error: unique is not an array")]
    [InlineData("""{"unique": ["color"]}""", "json validation error: an item in 'unique' has unexpected value")]
    [InlineData("""{"schedule": "not a cron"}""", "json validation error: schedule is not a valid cron or OnCalendar expression")]
    [InlineData("""{"tz": "Mars/Olympus"}""", "json validation error: tz is not a valid timezone")]
    [InlineData("""{"channels": "no-such-channel"}""", "invalid channel identifier: no-such-channel")]
    [InlineData("""{"channels": ","}""", "empty channel identifier")]
    [InlineData("""[1, 2]""", "json validation error: value is not an object")]
    [InlineData("""{"name": """, "could not parse request body")]
    public async Task Bad_fields_answer_400_with_Healthchecks_message(string json, string error)
    {
        var (status, body) = await PostAsync("api/v3/checks/", json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        body["error"]!.GetValue<string>().ShouldBe(error);
        _app.Errors.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task Updating_changes_only_the_given_fields_and_channels_follow_star_names_and_empty()
    {
        var hookId = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");
        var check = await CreateAsync("""{"name": "Backups", "tags": "prod www", "timeout": 3600, "grace": 60, "desc": "nightly"}""");
        var uuid = Uuid(check);

        var (allStatus, all) = await PostAsync($"api/v3/checks/{uuid}", """{"channels": "*", "tags": "prod", "schedule": "15 5 * * *", "tz": "Europe/Riga"}""");
        var (_, byName) = await PostAsync($"api/v3/checks/{uuid}", """{"channels": "hook"}""");
        var (_, none) = await PostAsync($"api/v3/checks/{uuid}", """{"channels": "", "timeout": 600}""");

        allStatus.ShouldBe(HttpStatusCode.OK);
        all["channels"]!.GetValue<string>().ShouldBe(hookId);
        all["tags"]!.GetValue<string>().ShouldBe("prod");
        all["schedule"]!.GetValue<string>().ShouldBe("15 5 * * *");
        all["tz"]!.GetValue<string>().ShouldBe("Europe/Riga");
        all.ContainsKey("timeout").ShouldBeFalse();
        all["name"]!.GetValue<string>().ShouldBe("Backups");
        all["desc"]!.GetValue<string>().ShouldBe("nightly");
        all["grace"]!.GetValue<int>().ShouldBe(60);
        byName["channels"]!.GetValue<string>().ShouldBe(hookId);
        none["channels"]!.GetValue<string>().ShouldBe("");
        none["timeout"]!.GetValue<int>().ShouldBe(600);
        none.ContainsKey("schedule").ShouldBeFalse();
        var monitor = (await _app.GetJsonAsync("api/v1/monitors"))["items"]![0]!;
        monitor["period"]!.GetValue<double>().ShouldBe(600);
        monitor["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["prod"]);
    }

    [Fact]
    public async Task Listing_filters_by_every_given_tag_and_by_slug()
    {
        await CreateAsync("""{"name": "a", "tags": "foo bar", "slug": "a"}""");
        await CreateAsync("""{"name": "b", "tags": "foo", "slug": "b"}""");
        await CreateAsync("""{"name": "c", "tags": "bar baz"}""");

        var both = JsonNode.Parse(await _hc.GetStringAsync("api/v3/checks/?tag=foo&tag=bar"))!["checks"]!.AsArray();
        var foo = JsonNode.Parse(await _hc.GetStringAsync("api/v3/checks/?tag=foo"))!["checks"]!.AsArray();
        var slug = JsonNode.Parse(await _hc.GetStringAsync("api/v3/checks/?slug=b"))!["checks"]!.AsArray();

        both.Select(c => c!["name"]!.GetValue<string>()).ShouldBe(["a"]);
        foo.Select(c => c!["name"]!.GetValue<string>()).Order().ShouldBe(["a", "b"]);
        slug.Select(c => c!["name"]!.GetValue<string>()).ShouldBe(["b"]);
    }

    [Fact]
    public async Task A_read_only_key_gets_the_read_only_shape_with_a_unique_key_and_no_writes()
    {
        var check = await CreateAsync("""{"name": "Database Backup", "tags": "production db", "desc": "Runs ~/db-backup.sh", "schedule": "15 5 * * *", "tz": "UTC"}""");
        using var ro = await ReadOnlyClientAsync();

        var (listStatus, list) = await SendAsync(ro, HttpMethod.Get, "api/v3/checks/");
        var shown = list["checks"]![0]!.AsObject();
        var uniqueKey = shown["unique_key"]!.GetValue<string>();
        var (oneStatus, one) = await SendAsync(ro, HttpMethod.Get, $"api/v3/checks/{uniqueKey}");
        var (flipsStatus, _) = await SendAsync(ro, HttpMethod.Get, $"api/v3/checks/{uniqueKey}/flips/");
        var (badgesStatus, _) = await SendAsync(ro, HttpMethod.Get, "api/v3/badges/");
        var (createStatus, _) = await SendAsync(ro, HttpMethod.Post, "api/v3/checks/", """{"name": "x"}""");
        var (pingsStatus, _) = await SendAsync(ro, HttpMethod.Get, $"api/v3/checks/{Uuid(check)}/pings/");
        var (channelsStatus, _) = await SendAsync(ro, HttpMethod.Get, "api/v3/channels/");

        listStatus.ShouldBe(HttpStatusCode.OK);
        uniqueKey.Length.ShouldBe(40);
        foreach (var hidden in new[] { "uuid", "ping_url", "update_url", "pause_url", "resume_url", "channels" })
        {
            shown.ContainsKey(hidden).ShouldBeFalse(hidden);
        }
        shown["desc"]!.GetValue<string>().ShouldBe("Runs ~/db-backup.sh");
        shown["schedule"]!.GetValue<string>().ShouldBe("15 5 * * *");
        oneStatus.ShouldBe(HttpStatusCode.OK);
        one["unique_key"]!.GetValue<string>().ShouldBe(uniqueKey);
        one["name"]!.GetValue<string>().ShouldBe("Database Backup");
        flipsStatus.ShouldBe(HttpStatusCode.OK);
        badgesStatus.ShouldBe(HttpStatusCode.OK);
        createStatus.ShouldBe(HttpStatusCode.Forbidden);
        pingsStatus.ShouldBe(HttpStatusCode.Forbidden);
        channelsStatus.ShouldBe(HttpStatusCode.Forbidden);
        // The key is stable: the same check answers with the same unique_key again.
        (await SendAsync(ro, HttpMethod.Get, "api/v3/checks/")).Body["checks"]![0]!["unique_key"]!.GetValue<string>().ShouldBe(uniqueKey);
    }

    [Fact]
    public async Task Pings_list_real_pings_newest_first_with_numbers_durations_and_bodies()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600}"""));
        var rid = Guid.NewGuid();

        (await _app.Anonymous.GetAsync($"ping/{uuid}/start?rid={rid}")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromSeconds(3));
        (await _app.Anonymous.PostAsync($"ping/{uuid}?rid={rid}", new StringContent("backup done: 42 files"))).EnsureSuccessStatusCode();
        (await _app.Anonymous.GetAsync($"ping/{uuid}/log")).EnsureSuccessStatusCode();

        var pings = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/pings/"))!["pings"]!.AsArray();
        var check = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!.AsObject();

        pings.Select(p => p!["type"]!.GetValue<string>()).ShouldBe(["log", "success", "start"]);
        pings.Select(p => p!["n"]!.GetValue<int>()).ShouldBe([3, 2, 1]);
        var success = pings[1]!.AsObject();
        success["duration"]!.GetValue<double>().ShouldBe(3);
        success["rid"]!.GetValue<string>().ShouldBe(rid.ToString());
        success["remote_addr"]!.GetValue<string>().ShouldBe("127.0.0.1");
        success["body_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v3/checks/{uuid}/pings/2/body");
        pings[2]!["body_url"].ShouldBeNull();
        pings[2]!.AsObject().ContainsKey("duration").ShouldBeFalse();
        DateTimeOffset.Parse(success["date"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds().ShouldBe(_app.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        check["n_pings"]!.GetValue<int>().ShouldBe(3);
        check["status"]!.GetValue<string>().ShouldBe("up");
        check["last_duration"]!.GetValue<int>().ShouldBe(3);
        check["last_ping"]!.GetValue<string>().ShouldNotBeNull();
        check["next_ping"]!.GetValue<string>().ShouldNotBeNull();

        using var body = await _hc.GetAsync($"api/v3/checks/{uuid}/pings/2/body");
        using var noBody = await _hc.GetAsync($"api/v3/checks/{uuid}/pings/1/body");
        using var noPing = await _hc.GetAsync($"api/v3/checks/{uuid}/pings/9/body");
        body.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await body.Content.ReadAsStringAsync()).ShouldBe("backup done: 42 files");
        noBody.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        noPing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_check_taking_only_POST_records_other_pings_as_ignored_and_stays_as_it_was()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600, "methods": "POST"}"""));

        using var get = await _app.Anonymous.GetAsync($"ping/{uuid}/fail");
        var afterGet = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!.AsObject();
        using var post = await _app.Anonymous.PostAsync($"ping/{uuid}", new StringContent(""));

        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        afterGet["status"]!.GetValue<string>().ShouldBe("new");
        var pings = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/pings/"))!["pings"]!.AsArray();
        pings.Select(p => p!["type"]!.GetValue<string>()).ShouldBe(["success", "ign"]);
        JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!["status"]!.GetValue<string>().ShouldBe("up");
    }

    [Fact]
    public async Task Body_keywords_make_a_plain_ping_a_failure_a_start_or_nothing_as_Healthchecks_sorts_them()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600, "filter_http_body": true, "success_kw": "SUCCESS", "failure_kw": "ERROR, FATAL", "start_kw": "BEGIN"}"""));

        async Task<string> PingAsync(string body)
        {
            (await _app.Anonymous.PostAsync($"ping/{uuid}", new StringContent(body))).EnsureSuccessStatusCode();
            return JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!["status"]!.GetValue<string>();
        }

        (await PingAsync("nothing to see")).ShouldBe("new");
        (await PingAsync("backup: SUCCESS")).ShouldBe("up");
        (await PingAsync("BEGIN backup")).ShouldBe("up");
        (await PingAsync("FATAL: disk full")).ShouldBe("down");
        var pings = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/pings/"))!["pings"]!.AsArray();
        pings.Select(p => p!["type"]!.GetValue<string>()).ShouldBe(["fail", "start", "success", "ign"]);
    }

    [Fact]
    public async Task A_start_leaves_a_paused_check_paused_and_its_last_ping_as_it_was()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600}"""));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();
        var before = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!["last_ping"]!.GetValue<string>();
        (await PostAsync($"api/v3/checks/{uuid}/pause", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        _app.Clock.Advance(TimeSpan.FromMinutes(5));

        (await _app.Anonymous.GetAsync($"ping/{uuid}/start")).EnsureSuccessStatusCode();

        var check = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!.AsObject();
        check["status"]!.GetValue<string>().ShouldBe("paused");
        check["last_ping"]!.GetValue<string>().ShouldBe(before);
    }

    [Fact]
    public async Task A_run_not_ended_within_grace_goes_down_and_one_ended_in_time_does_not()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 86400, "grace": 300}"""));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();
        (await _app.Anonymous.GetAsync($"ping/{uuid}/start")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromMinutes(4));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        await _app.SweepAsync();
        var ended = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!["status"]!.GetValue<string>();

        (await _app.Anonymous.GetAsync($"ping/{uuid}/start")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        await _app.SweepAsync();

        ended.ShouldBe("up");
        var check = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!.AsObject();
        check["status"]!.GetValue<string>().ShouldBe("down");
        check["started"]!.GetValue<bool>().ShouldBeFalse();
        var monitors = await _app.GetJsonAsync("api/v1/monitors");
        var id = monitors["items"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == "Backups")!["id"]!.GetValue<string>();
        var incident = (await _app.GetArrayAsync($"api/v1/monitors/{id}/incidents"))[0]!;
        incident["reason"]!.GetValue<string>().ShouldStartWith("run started at ");
        incident["reason"]!.GetValue<string>().ShouldEndWith("did not end within the grace time (5m)");
    }

    [Fact]
    public async Task Flips_list_a_down_and_the_up_after_it_and_filter_by_time()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600}"""));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        var downAt = _app.Clock.GetUtcNow();
        (await _app.Anonymous.GetAsync($"ping/{uuid}/fail")).EnsureSuccessStatusCode();
        _app.Clock.Advance(TimeSpan.FromMinutes(10));
        var upAt = _app.Clock.GetUtcNow();
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();

        var flips = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/flips/"))!["flips"]!.AsArray();
        var recent = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/flips/?seconds=300"))!["flips"]!.AsArray();
        var before = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}/flips/?end={upAt.ToUnixTimeSeconds()}"))!["flips"]!.AsArray();
        using var badSeconds = await _hc.GetAsync($"api/v3/checks/{uuid}/flips/?seconds=-1");
        using var badStart = await _hc.GetAsync($"api/v3/checks/{uuid}/flips/?start=abc");
        using var badEnd = await _hc.GetAsync($"api/v3/checks/{uuid}/flips/?end=99999999999");

        flips.Select(f => f!["up"]!.GetValue<int>()).ShouldBe([1, 0]);
        flips[0]!["timestamp"]!.GetValue<string>().ShouldBe(upAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture));
        flips[1]!["timestamp"]!.GetValue<string>().ShouldBe(downAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture));
        recent.Select(f => f!["up"]!.GetValue<int>()).ShouldBe([1]);
        before.Select(f => f!["up"]!.GetValue<int>()).ShouldBe([0]);
        badSeconds.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badStart.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badEnd.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_v1_channels_path_answers_Healthchecks_shape_to_X_Api_Key_and_Lifelines_to_Bearer()
    {
        var hookId = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");

        var healthchecks = JsonNode.Parse(await _hc.GetStringAsync("api/v1/channels/"))!;
        var v3 = JsonNode.Parse(await _hc.GetStringAsync("api/v3/channels/"))!;
        var lifeline = JsonNode.Parse(await _app.Admin.GetStringAsync("api/v1/channels/"))!;
        var lifelineNoSlash = JsonNode.Parse(await _app.Admin.GetStringAsync("api/v1/channels"))!;
        var hcStatus = await _hc.GetStringAsync("api/v1/status/");
        var lifelineStatus = JsonNode.Parse(await _app.Admin.GetStringAsync("api/v1/status"))!;
        // Lifeline's own routes keep answering an X-Api-Key as before.
        using var monitors = await _hc.GetAsync("api/v1/monitors");

        var channel = healthchecks["channels"]![0]!.AsObject();
        channel["id"]!.GetValue<string>().ShouldBe(hookId);
        channel["name"]!.GetValue<string>().ShouldBe("hook");
        channel["kind"]!.GetValue<string>().ShouldBe("webhook");
        channel.Count.ShouldBe(3);
        v3["channels"]![0]!["id"]!.GetValue<string>().ShouldBe(hookId);
        lifeline.ShouldBeOfType<JsonArray>()[0]!["id"]!.GetValue<string>().ShouldBe(hookId);
        lifelineNoSlash.ShouldBeOfType<JsonArray>().Count.ShouldBe(1);
        hcStatus.ShouldBe("OK");
        lifelineStatus["pingKey"].ShouldNotBeNull();
        monitors.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Pause_resume_and_delete_answer_the_check_and_resume_of_a_running_check_is_409()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600}"""));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();

        var (pauseStatus, paused) = await SendAsync(_hc, HttpMethod.Post, $"api/v3/checks/{uuid}/pause", "");
        var (_, resumed) = await SendAsync(_hc, HttpMethod.Post, $"api/v3/checks/{uuid}/resume", "");
        using var again = await _hc.PostAsync($"api/v3/checks/{uuid}/resume", null);
        var (deleteStatus, deleted) = await SendAsync(_hc, HttpMethod.Delete, $"api/v3/checks/{uuid}");
        using var gone = await _hc.GetAsync($"api/v3/checks/{uuid}");
        using var goneWrite = await _hc.PostAsync($"api/v3/checks/{uuid}", Json("{}"));

        pauseStatus.ShouldBe(HttpStatusCode.OK);
        paused["status"]!.GetValue<string>().ShouldBe("paused");
        resumed["status"]!.GetValue<string>().ShouldBe("new");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        deleteStatus.ShouldBe(HttpStatusCode.OK);
        Uuid(deleted).ShouldBe(uuid);
        deleted["name"]!.GetValue<string>().ShouldBe("Backups");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        goneWrite.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task V1_and_v2_make_the_slug_from_the_name_while_v3_takes_slug_as_given()
    {
        var v1 = await CreateAsync("""{"name": "Database Backup"}""", "v1");
        var v2 = await CreateAsync("""{"name": "Nightly Sync!"}""", "v2");
        var v3 = await CreateAsync("""{"name": "Weekly Report"}""");
        var v3Slug = await CreateAsync("""{"name": "Weekly Export", "slug": "export"}""");
        var (_, renamed) = await PostAsync($"api/v1/checks/{Uuid(v1)}", """{"name": "DB Backup"}""");

        v1["slug"]!.GetValue<string>().ShouldBe("database-backup");
        v1["update_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v1/checks/{Uuid(v1)}");
        v1["timeout"]!.GetValue<int>().ShouldBe(86400);
        v1["grace"]!.GetValue<int>().ShouldBe(3600);
        v2["slug"]!.GetValue<string>().ShouldBe("nightly-sync");
        v3["slug"]!.GetValue<string>().ShouldBe("");
        v3Slug["slug"]!.GetValue<string>().ShouldBe("export");
        renamed["slug"]!.GetValue<string>().ShouldBe("db-backup");
        (await _app.Anonymous.GetAsync($"ping/{(await _app.GetJsonAsync("api/v1/status"))["pingKey"]}/export")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task V1_reports_a_running_check_as_started_while_v3_reports_started_true()
    {
        var uuid = Uuid(await CreateAsync("""{"name": "Backups", "timeout": 3600, "grace": 600}"""));
        (await _app.Anonymous.GetAsync($"ping/{uuid}")).EnsureSuccessStatusCode();
        (await _app.Anonymous.GetAsync($"ping/{uuid}/start")).EnsureSuccessStatusCode();

        var v1 = JsonNode.Parse(await _hc.GetStringAsync($"api/v1/checks/{uuid}"))!;
        var v3 = JsonNode.Parse(await _hc.GetStringAsync($"api/v3/checks/{uuid}"))!;

        v1["status"]!.GetValue<string>().ShouldBe("started");
        v3["status"]!.GetValue<string>().ShouldBe("up");
        v3["started"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Badges_list_every_tag_and_the_star_with_all_six_formats_and_status_answers_OK()
    {
        await CreateAsync("""{"name": "a", "tags": "backup db"}""");
        await CreateAsync("""{"name": "b", "tags": "prod"}""");

        var badges = JsonNode.Parse(await _hc.GetStringAsync("api/v3/badges/"))!["badges"]!.AsObject();
        var status = await _app.Anonymous.GetStringAsync("api/v3/status/");

        badges.Select(b => b.Key).Order(StringComparer.Ordinal).ShouldBe(["*", "backup", "db", "prod"]);
        badges["db"]!.AsObject().Select(f => f.Key).Order(StringComparer.Ordinal).ShouldBe(["json", "json3", "shields", "shields3", "svg", "svg3"]);
        status.ShouldBe("OK");
    }

    /// <summary>
    /// The calls of the Healthchecks Terraform provider (through its Go client): create with the
    /// client's full body, read back through the list matching the id cut from update_url, update,
    /// delete; every field the provider reads is checked.
    /// </summary>
    [Fact]
    public async Task The_Terraform_provider_flow_creates_reads_updates_and_deletes_a_check_by_uuid()
    {
        var hookId = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");
        var channels = JsonNode.Parse(await _hc.GetStringAsync("api/v1/channels/"))!["channels"]!.AsArray();
        var channelId = channels.Single(c => c!["name"]!.GetValue<string>() == "hook")!["id"]!.GetValue<string>();

        var (createStatus, created) = await PostAsync("api/v1/checks/",
            $$"""{"channels":"{{channelId}}","desc":"managed by terraform","grace":300,"methods":"","name":"tf-backup","tags":"prod db","timeout":3600}""");
        var id = created["update_url"]!.GetValue<string>().Split('/')[^1];

        async Task<JsonObject?> ReadAsync() =>
            JsonNode.Parse(await _hc.GetStringAsync("api/v1/checks/"))!["checks"]!.AsArray()
                .Select(c => c!.AsObject())
                .SingleOrDefault(c => c["update_url"]!.GetValue<string>().Split('/')[^1] == id);

        var read = (await ReadAsync())!;
        var (updateStatus, _) = await PostAsync($"api/v1/checks/{id}",
            $$"""{"channels":"{{channelId}}","desc":"managed by terraform","grace":600,"methods":"POST","name":"tf-backup","tags":"prod","schedule":"0 3 * * *","tz":"Europe/Paris"}""");
        var updated = (await ReadAsync())!;
        var (deleteStatus, _) = await SendAsync(_hc, HttpMethod.Delete, $"api/v1/checks/{id}");
        var afterDelete = await ReadAsync();

        createStatus.ShouldBe(HttpStatusCode.Created);
        id.ShouldBe(Uuid(created));
        channelId.ShouldBe(hookId);
        read["name"]!.GetValue<string>().ShouldBe("tf-backup");
        read["tags"]!.GetValue<string>().Split(' ').ShouldBe(["prod", "db"]);
        read["timeout"]!.GetValue<int>().ShouldBe(3600);
        read["grace"]!.GetValue<int>().ShouldBe(300);
        read["channels"]!.GetValue<string>().ShouldBe(hookId);
        read["desc"]!.GetValue<string>().ShouldBe("managed by terraform");
        read["methods"]!.GetValue<string>().ShouldBe("");
        read["ping_url"]!.GetValue<string>().ShouldBe($"{Base}/ping/{id}");
        read["pause_url"]!.GetValue<string>().ShouldBe($"{Base}/api/v1/checks/{id}/pause");
        read["status"]!.GetValue<string>().ShouldBe("new");
        read["n_pings"]!.GetValue<int>().ShouldBe(0);
        updateStatus.ShouldBe(HttpStatusCode.OK);
        updated["tags"]!.GetValue<string>().ShouldBe("prod");
        updated["grace"]!.GetValue<int>().ShouldBe(600);
        updated["schedule"]!.GetValue<string>().ShouldBe("0 3 * * *");
        updated["tz"]!.GetValue<string>().ShouldBe("Europe/Paris");
        updated["methods"]!.GetValue<string>().ShouldBe("POST");
        updated.ContainsKey("timeout").ShouldBeFalse();
        deleteStatus.ShouldBe(HttpStatusCode.OK);
        afterDelete.ShouldBeNull();
    }
}

public sealed class PostgresHealthchecksApiTests : HealthchecksApiTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
