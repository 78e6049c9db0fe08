using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests;

/// <summary>Every push URL family, as existing clients call it.</summary>
public sealed class PushEndpointTests : IAsyncLifetime
{
    private LifelineApp _app = null!;
    private string _id = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync();
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
    public async Task An_exit_status_over_255_is_a_400()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}/256");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("exit status");
        response.Headers.Contains("Ping-Body-Limit").ShouldBeTrue();
    }

    [Fact]
    public async Task A_malformed_rid_is_a_400()
    {
        using var response = await _app.Anonymous.GetAsync($"ping/{_token}/start?rid=not-a-uuid");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("rid");
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
}
