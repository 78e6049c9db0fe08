using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests;

/// <summary>Every push URL family, as existing clients call it.</summary>
public class PushEndpointTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private string _id = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _app = await StartAppAsync();
        var monitor = await _app.CreateMonitorAsync(new { name = "backup", period = 60 });
        _id = monitor["id"]!.GetValue<string>();
        _token = monitor["pushToken"]!.GetValue<string>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonArray> EventsAsync() => (await _app.GetArrayAsync($"api/v1/monitors/{_id}/events"));

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task The_kuma_push_url_answers_ok_json_for_every_method(string method)
    {
        using var response = await _app.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"api/push/{_token}"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["ok"]!.GetValue<bool>().ShouldBeTrue();
        body["message"].ShouldNotBeNull();
        (await _app.StatusOfAsync(_id)).ShouldBe("up");
    }

    [Fact]
    public async Task A_head_request_and_a_trailing_slash_also_count_as_a_push()
    {
        using var head = await _app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/push/{_token}/"));

        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await EventsAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_uptime_kuma_query_with_an_empty_ping_is_accepted()
    {
        using var response = await _app.Anonymous.GetAsync($"api/push/{_token}?status=up&msg=OK&ping=");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var e = (await EventsAsync())[0]!;
        e["msg"]!.GetValue<string>().ShouldBe("OK");
        e["ping"].ShouldBeNull();
    }

    [Fact]
    public async Task The_seed_cron_script_reports_down_with_its_message_and_then_up()
    {
        using var down = await _app.Anonymous.PostAsync($"api/push/{_token}?status=down&msg=backup-failed", null);
        var afterDown = await _app.GetJsonAsync($"api/v1/monitors/{_id}");
        using var up = await _app.Anonymous.PostAsync($"api/push/{_token}?status=up&msg=backup-completed", null);

        down.StatusCode.ShouldBe(HttpStatusCode.OK);
        afterDown["status"]!.GetValue<string>().ShouldBe("down");
        afterDown["lastMessage"]!.GetValue<string>().ShouldBe("backup-failed");
        (await _app.StatusOfAsync(_id)).ShouldBe("up");
        var incidents = (await _app.GetArrayAsync($"api/v1/monitors/{_id}/incidents"));
        incidents.Count.ShouldBe(1);
        incidents[0]!["reason"]!.GetValue<string>().ShouldBe("backup-failed");
        incidents[0]!["endedAt"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Python_requests_params_with_a_value_are_recorded()
    {
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}?status=up&msg=synced-42-records&value=42", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var monitor = await _app.GetJsonAsync($"api/v1/monitors/{_id}");
        monitor["lastValue"]!.GetValue<double>().ShouldBe(42);
        monitor["lastMessage"]!.GetValue<string>().ShouldBe("synced-42-records");
    }

    [Fact]
    public async Task A_json_body_may_carry_the_fields_instead_of_the_query()
    {
        using var response = await _app.Anonymous.PostAsJsonAsync($"api/push/{_token}", new { status = "down", msg = "from body", value = 7 });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var monitor = await _app.GetJsonAsync($"api/v1/monitors/{_id}");
        monitor["status"]!.GetValue<string>().ShouldBe("down");
        monitor["lastMessage"]!.GetValue<string>().ShouldBe("from body");
        monitor["lastValue"]!.GetValue<double>().ShouldBe(7);
    }

    [Fact]
    public async Task A_form_body_may_carry_the_fields()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["status"] = "up", ["msg"] = "form" });
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await EventsAsync())[0]!["msg"]!.GetValue<string>().ShouldBe("form");
    }

    [Theory]
    [InlineData("status=maybe", "status")]
    [InlineData("value=abc", "value")]
    [InlineData("value=Infinity", "value")]
    [InlineData("ping=fast", "ping")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        using var response = await _app.Anonymous.GetAsync($"api/push/{_token}?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["ok"]!.GetValue<bool>().ShouldBeFalse();
        body["error"]!.GetValue<string>().ShouldContain(field);
        (await EventsAsync()).Count.ShouldBe(0);
    }

    [Fact]
    public async Task An_unknown_token_is_a_404_with_the_error_shape()
    {
        using var response = await _app.Anonymous.GetAsync("api/push/not-a-real-token");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["ok"]!.GetValue<bool>().ShouldBeFalse();
        body["msg"].ShouldNotBeNull();
        body["error"].ShouldNotBeNull();
    }

    [Fact]
    public async Task An_over_long_message_is_cut_not_refused()
    {
        using var response = await _app.Anonymous.GetAsync($"api/push/{_token}?msg={new string('m', 3000)}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await EventsAsync())[0]!["msg"]!.GetValue<string>().Length.ShouldBe(1000);
    }

    [Fact]
    public async Task A_healthchecks_ping_answers_plain_ok_with_the_body_limit_header()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("OK");
        response.Headers.GetValues("Ping-Body-Limit").Single().ShouldBe("10000");
        (await _app.StatusOfAsync(_id)).ShouldBe("up");
    }

    [Fact]
    public async Task Start_and_success_with_one_rid_record_the_run_duration()
    {
        var rid = Guid.NewGuid();
        using var start = await _app.Anonymous.GetAsync($"ping/{_token}/start?rid={rid}");
        var running = await _app.GetJsonAsync($"api/v1/monitors/{_id}");
        _app.Clock.Advance(TimeSpan.FromSeconds(42));
        using var done = await _app.Anonymous.PostAsync($"ping/{_token}/0?rid={rid}", new StringContent("all good"));

        running["started"]!.GetValue<bool>().ShouldBeTrue();
        var monitor = await _app.GetJsonAsync($"api/v1/monitors/{_id}");
        monitor["started"]!.GetValue<bool>().ShouldBeFalse();
        monitor["lastDurationMs"]!.GetValue<long>().ShouldBe(42_000);
        var last = (await EventsAsync())[0]!;
        last["type"]!.GetValue<string>().ShouldBe("success");
        last["exitStatus"]!.GetValue<int>().ShouldBe(0);
        last["durationMs"]!.GetValue<long>().ShouldBe(42_000);
        last["rid"]!.GetValue<string>().ShouldBe(rid.ToString());
        last["body"]!.GetValue<string>().ShouldBe("all good");
    }

    [Theory]
    [InlineData("fail")]
    [InlineData("1")]
    [InlineData("255")]
    public async Task A_failure_or_non_zero_exit_status_makes_the_monitor_down(string suffix)
    {
        using var response = await _app.Anonymous.PostAsync($"ping/{_token}/{suffix}", new StringContent("boom"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.StatusOfAsync(_id)).ShouldBe("down");
        (await EventsAsync())[0]!["type"]!.GetValue<string>().ShouldBe("fail");
    }

    [Fact]
    public async Task A_log_ping_is_recorded_and_changes_no_state()
    {
        using var response = await _app.Anonymous.PostAsync($"ping/{_token}/log", new StringContent("just saying"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.StatusOfAsync(_id)).ShouldBe("new");
        (await EventsAsync())[0]!["type"]!.GetValue<string>().ShouldBe("log");
    }

    [Fact]
    public async Task An_exit_status_over_255_is_a_plain_text_400_as_in_Healthchecks()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}/256");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await response.Content.ReadAsStringAsync()).ShouldBe("invalid url format");
        response.Headers.Contains("Ping-Body-Limit").ShouldBeTrue();
    }

    [Fact]
    public async Task A_malformed_rid_is_a_plain_text_400_as_in_Healthchecks()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}/start?rid=not-a-uuid");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await response.Content.ReadAsStringAsync()).ShouldBe("invalid uuid format");
    }

    [Fact]
    public async Task An_unknown_ping_token_is_a_plain_404()
    {
        using var response = await _app.Anonymous.GetAsync("ping/unknown-token-here");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldBe("not found");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_stored_cut_at_the_limit()
    {
        var big = new string('x', 25_000);
        using var response = await _app.Anonymous.PostAsync($"ping/{_token}", new StringContent(big, Encoding.UTF8));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await EventsAsync())[0]!["body"]!.GetValue<string>().Length.ShouldBe(10_000);
    }

    [Fact]
    public async Task A_slug_url_with_create_makes_a_new_monitor_and_later_pings_reach_it()
    {
        var pingKey = (await _app.GetJsonAsync("api/v1/status"))["pingKey"]!.GetValue<string>();

        using var created = await _app.Anonymous.GetAsync($"ping/{pingKey}/nightly-etl?create=1");
        using var failed = await _app.Anonymous.GetAsync($"ping/{pingKey}/nightly-etl/fail");
        using var missing = await _app.Anonymous.GetAsync($"ping/{pingKey}/no-such-slug");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await created.Content.ReadAsStringAsync()).ShouldBe("Created");
        failed.StatusCode.ShouldBe(HttpStatusCode.OK);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = (await _app.GetJsonAsync("api/v1/monitors?q=nightly-etl"))["items"]!.AsArray();
        list.Single()!["status"]!.GetValue<string>().ShouldBe("down");
    }

    [Fact]
    public async Task Ping_answers_carry_Healthchecks_cors_and_no_cache_headers_found_or_not()
    {
        using var found = await _app.Anonymous.GetAsync($"ping/{_token}");
        using var missing = await _app.Anonymous.GetAsync("ping/no-such-token-0000");

        foreach (var response in new[] { found, missing })
        {
            response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"]);
            response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        }
        found.StatusCode.ShouldBe(HttpStatusCode.OK);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_monitor_made_by_its_first_slug_ping_gets_a_day_an_hour_of_grace_and_every_channel()
    {
        var pingKey = (await _app.GetJsonAsync("api/v1/status"))["pingKey"]!.GetValue<string>();
        var first = await _app.CreateWebhookAsync("http://127.0.0.1:9/a");
        var second = await _app.CreateWebhookAsync("http://127.0.0.1:9/b");

        using var created = await _app.Anonymous.GetAsync($"ping/{pingKey}/weekly-report?create=1");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var monitor = (await _app.GetJsonAsync("api/v1/monitors?q=weekly-report"))["items"]!.AsArray().Single()!;
        monitor["period"]!.GetValue<double>().ShouldBe(86400);
        monitor["grace"]!.GetValue<double>().ShouldBe(3600);
        monitor["channels"]!.AsArray().Select(c => c!.GetValue<string>()).Order().ShouldBe(new[] { first, second }.Order());
    }

    [Fact]
    public async Task A_ping_key_set_in_the_configuration_keeps_old_slug_urls_working()
    {
        await using var app = await LifelineApp.StartAsync("--Lifeline:PingKey=old-instance-key_42");

        var shown = (await app.GetJsonAsync("api/v1/status"))["pingKey"]!.GetValue<string>();
        using var created = await app.Anonymous.GetAsync("ping/old-instance-key_42/nightly?create=1");

        shown.ShouldBe("old-instance-key_42");
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_rotated_token_stops_working_at_once_and_the_new_one_works()
    {
        using var rotate = await _app.Admin.PostAsync($"api/v1/monitors/{_id}/rotate-token", null);
        var fresh = JsonNode.Parse(await rotate.Content.ReadAsStringAsync())!["pushToken"]!.GetValue<string>();

        using var old = await _app.Anonymous.GetAsync($"api/push/{_token}");
        using var now = await _app.Anonymous.GetAsync($"ping/{fresh}");

        fresh.ShouldNotBe(_token);
        old.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        now.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_stored_whole_even_when_it_ends_in_a_non_ascii_character()
    {
        using var response = await _app.Anonymous.PostAsync($"ping/{_token}", new StringContent("sauvegarde terminée, café €", Encoding.UTF8));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await EventsAsync())[0]!["body"]!.GetValue<string>().ShouldBe("sauvegarde terminée, café €");
    }

    [Fact]
    public async Task A_body_cut_at_the_limit_never_ends_in_half_a_character()
    {
        var body = new string('x', 9_999) + "€€";
        using var response = await _app.Anonymous.PostAsync($"ping/{_token}", new StringContent(body, Encoding.UTF8));

        (await EventsAsync())[0]!["body"]!.GetValue<string>().ShouldBe(new string('x', 9_999));
    }

    [Fact]
    public async Task An_exit_status_too_large_for_any_number_is_a_400_not_a_404()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}/99999999999");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_form_that_cannot_be_read_is_a_400_naming_the_body()
    {
        using var content = new StringContent("status=down", Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("multipart/form-data");
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("body");
    }

    // ---- Hostile input (issue #14): a 4xx or a clean 200, never a 5xx, never an error in the log.

    [Fact]
    public async Task A_form_in_an_unsupported_charset_is_a_400_naming_the_body()
    {
        using var content = new StringContent("status=down&msg=hi", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-7");
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["ok"]!.GetValue<bool>().ShouldBeFalse();
        body["field"]!.GetValue<string>().ShouldBe("body");
        (await EventsAsync()).Count.ShouldBe(0);
        _app.Errors.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_json_message_with_a_lone_surrogate_is_recorded_with_a_replacement_character()
    {
        using var content = new StringContent("""{"status":"down","msg":"disk \ud800 full"}""", Encoding.UTF8, "application/json");
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var e = (await EventsAsync())[0]!;
        e["msg"]!.GetValue<string>().ShouldBe("disk \uFFFD full");
        e["ok"]!.GetValue<bool>().ShouldBeFalse();
        _app.Errors.Entries.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET", "api/push/{token}?value=1e400", null, null, 400)]
    [InlineData("GET", "api/push/{token}?ping=NaN", null, null, 400)]
    [InlineData("GET", "api/push/{token}?msg=a%00b", null, null, 200)]
    [InlineData("GET", "api/push/{token}?msg=%FF%FE%ED%A0%80", null, null, 200)]
    [InlineData("GET", "api/push/{token}?msg=%zz%&status=%", null, null, 400)]
    [InlineData("GET", "api/push/{token}?msg=%zz%", null, null, 200)]
    [InlineData("GET", "api/push/{long}", null, null, 404)]
    [InlineData("GET", "ping/{token}/a/b/c", null, null, 404)]
    [InlineData("GET", "ping/{long}", null, null, 404)]
    [InlineData("POST", "ping/{token}", "text/plain", "\xFF\xFE\xC3(ok", 200)]
    [InlineData("POST", "ping/{token}", "text/plain; charset=utf-7", "+AGEAYgBj-", 200)]
    [InlineData("POST", "api/push/{token}", "application/json", "{\"value\":1e400}", 400)]
    [InlineData("POST", "api/push/{token}", "application/json", "{\"msg\":\"\\u0000\\udc00\\ud800\\ud800\"}", 200)]
    [InlineData("POST", "api/push/{token}", "application/json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 400)]
    [InlineData("POST", "api/push/{token}", "application/json", "\xFF\xFE{", 400)]
    [InlineData("POST", "api/push/{token}", "application/x-www-form-urlencoded", "msg=%zz%&msg=%FF&status=up", 200)]
    [InlineData("POST", "api/push/{token}", "application/x-www-form-urlencoded; charset=bogus", "status=up", 400)]
    [InlineData("POST", "api/push/{token}", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"msg\"\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+AGE-\r\n--x--\r\n", 200)]
    [InlineData("POST", "api/push/{token}", "multipart/form-data; boundary=x; charset=utf-7", "--x--\r\n", 400)]
    public async Task Hostile_input_answers_a_4xx_or_a_clean_200_and_logs_no_error(string method, string path, string? contentType, string? body, int expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{token}", _token, StringComparison.Ordinal).Replace("{long}", new string('t', 6000), StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body.Select(c => (byte)c).ToArray());
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var response = await _app.Anonymous.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(expected, await response.Content.ReadAsStringAsync());
        _app.Errors.Entries.ShouldBeEmpty();
        if (expected == 200)
        {
            // What was stored reads back as valid JSON.
            (await EventsAsync()).Count.ShouldBe(1);
        }
    }

    // ---- Bounded bodies (issue #14).

    [Fact]
    public async Task A_push_body_over_the_limit_is_a_413_naming_the_body_and_records_nothing()
    {
        var form = "status=down&msg=" + new string('m', 70 * 1024);
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["ok"]!.GetValue<bool>().ShouldBeFalse();
        body["field"]!.GetValue<string>().ShouldBe("body");
        (await EventsAsync()).Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_chunked_push_body_over_the_limit_is_a_413_and_records_nothing()
    {
        var json = Encoding.UTF8.GetBytes("{\"status\":\"down\",\"msg\":\"" + new string('m', 100 * 1024) + "\"}");
        using var response = await _app.Anonymous.PostAsync($"api/push/{_token}", new ChunkedContent(json, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await EventsAsync()).Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_json_down_push_within_a_raised_limit_is_read_whole_and_recorded_as_down()
    {
        await using var app = await StartAppAsync("--Lifeline:PushBodyLimit=131072");
        var monitor = await app.CreateMonitorAsync(new { name = "big", period = 60 });
        var token = monitor["pushToken"]!.GetValue<string>();
        var id = monitor["id"]!.GetValue<string>();
        var json = "{\"status\":\"down\",\"msg\":\"" + new string('m', 70 * 1024) + "\"}";

        using var within = await app.Anonymous.PostAsync($"api/push/{token}", new ChunkedContent(Encoding.UTF8.GetBytes(json), "application/json"));
        using var over = await app.Anonymous.PostAsync($"api/push/{token}", new StringContent("{\"status\":\"up\",\"msg\":\"" + new string('m', 140 * 1024) + "\"}", Encoding.UTF8, "application/json"));

        within.StatusCode.ShouldBe(HttpStatusCode.OK);
        over.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await app.StatusOfAsync(id)).ShouldBe("down");
        (await app.GetArrayAsync($"api/v1/monitors/{id}/events")).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_ping_body_over_the_request_limit_is_a_plain_413_and_records_nothing()
    {
        await using var app = await StartAppAsync("--Lifeline:MaxPingRequestBytes=100000");
        var monitor = await app.CreateMonitorAsync(new { name = "big", period = 60 });
        var token = monitor["pushToken"]!.GetValue<string>();
        var id = monitor["id"]!.GetValue<string>();

        using var sized = await app.Anonymous.PostAsync($"ping/{token}/fail", new ByteArrayContent(new byte[150_000]));
        using var chunked = await app.Anonymous.PostAsync($"ping/{token}/fail", new ChunkedContent(new byte[150_000], "text/plain"));
        using var within = await app.Anonymous.PostAsync($"ping/{token}", new ChunkedContent(Encoding.UTF8.GetBytes(new string('x', 90_000)), "text/plain"));

        sized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        sized.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        chunked.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        within.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = await app.GetArrayAsync($"api/v1/monitors/{id}/events");
        events.Count.ShouldBe(1);
        events[0]!["body"]!.GetValue<string>().Length.ShouldBe(10_000);
        (await app.StatusOfAsync(id)).ShouldBe("up");
    }

    [Theory]
    [InlineData("api/push/{token}?status=down", "status=down&msg=")]
    [InlineData("ping/{token}/fail", "half a log")]
    public async Task A_body_the_client_never_finished_sending_records_nothing(string path, string start)
    {
        var sent = start + new string('x', 100 - start.Length);
        using var client = new TcpClient();
        await client.ConnectAsync(_app.BaseUri.Host, _app.BaseUri.Port);
        var stream = client.GetStream();
        var head = $"POST /{path.Replace("{token}", _token, StringComparison.Ordinal)} HTTP/1.1\r\nHost: {_app.BaseUri.Authority}\r\n" +
            "Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + sent));
        client.Client.Shutdown(SocketShutdown.Send);
        // The server answers (or just closes, or resets) once it has handled the request.
        var answer = "";
        try
        {
            answer = await new StreamReader(stream).ReadToEndAsync();
        }
        catch (IOException)
        {
        }

        answer.ShouldNotStartWith("HTTP/1.1 200");
        (await EventsAsync()).Count.ShouldBe(0);
        (await _app.StatusOfAsync(_id)).ShouldBe("new");
        _app.Errors.Entries.ShouldBeEmpty();
    }

    // ---- Auto-creation cap (issue #14).

    [Fact]
    public async Task Auto_creation_stops_with_a_403_once_the_monitor_limit_is_reached()
    {
        await using var app = await StartAppAsync("--Lifeline:AutoCreateLimit=2");
        await app.CreateMonitorAsync(new { name = "existing", period = 60 });
        var pingKey = (await app.GetJsonAsync("api/v1/status"))["pingKey"]!.GetValue<string>();

        using var first = await app.Anonymous.GetAsync($"ping/{pingKey}/job-a?create=1");
        using var second = await app.Anonymous.GetAsync($"ping/{pingKey}/job-b?create=1");
        using var again = await app.Anonymous.GetAsync($"ping/{pingKey}/job-a?create=1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await second.Content.ReadAsStringAsync()).ShouldContain("limit");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.GetJsonAsync("api/v1/monitors?q=job-b"))["items"]!.AsArray().Count.ShouldBe(0);
    }

    // ---- Token guessing (issue #14).

    [Fact]
    public async Task A_client_guessing_tokens_gets_429_after_the_limit_while_tokens_it_has_used_keep_working()
    {
        await using var app = await StartAppAsync("--Lifeline:RateLimitLoopback=true", "--Lifeline:PushNotFoundPerMinute=3");
        var good = (await app.CreateMonitorAsync(new { name = "good", period = 60 }))["pushToken"]!.GetValue<string>();
        var other = (await app.CreateMonitorAsync(new { name = "other", period = 60 }))["pushToken"]!.GetValue<string>();
        var codes = new List<int>();
        async Task Push(string path)
        {
            using var response = await app.Anonymous.GetAsync(path);
            codes.Add((int)response.StatusCode);
        }

        await Push("api/push/guess-0000");
        await Push($"api/push/{good}");
        await Push("ping/guess-0001");
        await Push("api/push/guess-0002");
        using var refused = await app.Anonymous.GetAsync("api/push/guess-0003");
        await Push($"ping/{good}");
        await Push($"api/push/{other}");
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        await Push("api/push/guess-0004");

        codes.ShouldBe([404, 200, 404, 404, 200, 429, 404]);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(20));
        JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["ok"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Successful_pushes_never_count_toward_the_not_found_limit()
    {
        await using var app = await StartAppAsync("--Lifeline:RateLimitLoopback=true", "--Lifeline:PushNotFoundPerMinute=2");
        var good = (await app.CreateMonitorAsync(new { name = "good", period = 60 }))["pushToken"]!.GetValue<string>();
        var codes = new List<int>();

        for (var i = 0; i < 20; i++)
        {
            using var response = await app.Anonymous.GetAsync(i % 10 == 5 ? "api/push/stale-token" : $"ping/{good}");
            codes.Add((int)response.StatusCode);
        }

        codes.Count(c => c == 200).ShouldBe(18);
        codes.Count(c => c == 404).ShouldBe(2);
    }

    /// <summary>A body sent with chunked transfer encoding: no Content-Length.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _data;

        public ChunkedContent(byte[] data, string contentType)
        {
            _data = data;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresPushEndpointTests : PushEndpointTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
