using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Core.Probes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests.Probes;

/// <summary>
/// Locations, enrolment and quorum through the whole server over real HTTP: the tests speak the
/// probe protocol themselves, as several probes would, on the server's manual clock.
/// </summary>
public class LocationsTests : IAsyncLifetime
{
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;
    private string _channel = null!;

    public async Task InitializeAsync()
    {
        _receiver = await RecordingServer.StartAsync();
        _app = await StartAppAsync();
        _channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private sealed record Enrolled(string LocationId, string Credential, HttpClient Client);

    private async Task<(string Id, string Token)> CreateLocationAsync(string name)
    {
        var response = await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (json["id"]!.GetValue<string>(), json["enrollToken"]!.GetValue<string>());
    }

    private async Task<Enrolled> EnrolAsync(string token, string name)
    {
        var response = await _app.Anonymous.PostAsJsonAsync("api/v1/probe/enroll", new { token, name });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var answer = (await response.Content.ReadFromJsonAsync(ProbeJson.Default.EnrollAnswer))!;
        var client = new HttpClient { BaseAddress = _app.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Probe", answer.Credential);
        return new Enrolled(answer.Location.Id, answer.Credential, client);
    }

    private async Task<Enrolled> NewProbeAsync(string location) => await EnrolAsync((await CreateLocationAsync(location)).Token, $"host-{location}");

    private static async Task<Assignments> AssignmentsAsync(Enrolled probe)
    {
        var response = await probe.Client.GetAsync("api/v1/probe/assignments?wait=0");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(ProbeJson.Default.Assignments))!;
    }

    private async Task<BatchAnswer> ReportAsync(Enrolled probe, string monitor, bool ok, string message, string? batch = null)
    {
        var results = new ResultBatch(batch ?? Guid.NewGuid().ToString("N"), [new ProbeResult { Monitor = monitor, At = _app.Clock.GetUtcNow(), Ok = ok, Message = message, DurationMs = 12 }]);
        var response = await probe.Client.PostAsJsonAsync("api/v1/probe/results", results, ProbeJson.Default.ResultBatch);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(ProbeJson.Default.BatchAnswer))!;
    }

    /// <summary>Starts every due check now, as the worker would on its next pass, and waits for the results.</summary>
    private async Task CheckDueAsync()
    {
        var sweep = _app.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();
        await _app.SendsSettledAsync();
    }

    private async Task<string> CreateRemoteMonitorAsync(params string[] locations)
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "shop", kind = "http", target = "http://shop.invalid/", interval = 60, locations, channels = new[] { _channel } });
        return monitor["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_location_gives_a_one_time_enrol_token_and_lists_its_probes_with_when_each_was_last_heard()
    {
        var (id, token) = await CreateLocationAsync("paris");

        var probe = await EnrolAsync(token, "edge-1");
        var again = await _app.Anonymous.PostAsJsonAsync("api/v1/probe/enroll", new { token, name = "edge-2" });

        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        probe.LocationId.ShouldBe(id);
        var listed = (await _app.GetArrayAsync("api/v1/locations")).ShouldHaveSingleItem()!.AsObject();
        listed["name"]!.GetValue<string>().ShouldBe("paris");
        listed["status"]!.GetValue<string>().ShouldBe("reporting");
        var probeJson = listed["probes"]!.AsArray().ShouldHaveSingleItem()!;
        probeJson["name"]!.GetValue<string>().ShouldBe("edge-1");
        probeJson["lastHeardAt"].ShouldNotBeNull();
        listed.ToJsonString().ShouldNotContain(token);
        listed.ToJsonString().ShouldNotContain(probe.Credential.Split('.')[1]);
    }

    [Fact]
    public async Task Bad_location_input_is_refused_naming_the_field()
    {
        await CreateLocationAsync("paris");

        var local = await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name = "local" });
        var taken = await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name = "PARIS" });
        var empty = await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name = "" });
        var unknown = await _app.Admin.PostAsJsonAsync("api/v1/monitors", new { name = "x", kind = "http", target = "http://x.invalid/", locations = new[] { "nowhere" } });
        var quorum = await _app.Admin.PostAsJsonAsync("api/v1/monitors", new { name = "x", kind = "http", target = "http://x.invalid/", quorum = 3 });
        var push = await _app.Admin.PostAsJsonAsync("api/v1/monitors", new { name = "x", locations = new[] { "local" } });

        local.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("no location with id 'nowhere'");
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await quorum.Content.ReadAsStringAsync()).ShouldContain("quorum");
        (await push.Content.ReadAsStringAsync()).ShouldContain("locations");
    }

    [Fact]
    public async Task Probe_calls_without_a_good_credential_are_refused()
    {
        using var stranger = new HttpClient { BaseAddress = _app.BaseUri };
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Probe", "pr_abc.not-the-secret");

        (await stranger.GetAsync("api/v1/probe/assignments")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _app.Admin.GetAsync("api/v1/probe/assignments")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _app.Anonymous.PostAsJsonAsync("api/v1/probe/results", new { batch = "b", results = Array.Empty<object>() })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task One_failing_location_makes_the_monitor_degraded_without_a_notice_and_a_second_makes_it_down_with_one_notice_naming_both()
    {
        var paris = await NewProbeAsync("paris");
        var tokyo = await NewProbeAsync("tokyo");
        var ohio = await NewProbeAsync("ohio");
        var id = await CreateRemoteMonitorAsync(paris.LocationId, tokyo.LocationId, ohio.LocationId);
        (await AssignmentsAsync(paris)).Checks.ShouldHaveSingleItem().Id.ShouldBe(id);
        foreach (var probe in new[] { paris, tokyo, ohio })
        {
            await ReportAsync(probe, id, ok: true, "HTTP 200");
        }
        await CheckDueAsync();
        (await _app.StatusOfAsync(id)).ShouldBe("up");

        _app.Clock.Advance(TimeSpan.FromSeconds(5));
        await ReportAsync(paris, id, ok: false, "connection refused");
        // The first failure asks the other locations to look again at once.
        (await AssignmentsAsync(tokyo)).Checks.ShouldHaveSingleItem().RecheckAt.ShouldNotBeNull();
        await CheckDueAsync();

        (await _app.StatusOfAsync(id)).ShouldBe("degraded");
        _receiver.Requests.ShouldBeEmpty();

        _app.Clock.Advance(TimeSpan.FromSeconds(2));
        await ReportAsync(tokyo, id, ok: false, "[STATUS] (503) == 200");
        await CheckDueAsync();

        (await _app.StatusOfAsync(id)).ShouldBe("down");
        var notice = (await _receiver.WaitForAsync(1)).ShouldHaveSingleItem().Body;
        notice.ShouldContain("down from 2 of 3 locations");
        notice.ShouldContain("paris: down, connection refused");
        notice.ShouldContain("tokyo: down, [STATUS] (503) == 200");
        var events = await _app.GetArrayAsync($"api/v1/monitors/{id}/events");
        events.Select(e => e!["location"]?.GetValue<string>()).ShouldContain(paris.LocationId);
    }

    [Fact]
    public async Task A_location_that_stops_reporting_counts_as_unknown_never_as_down()
    {
        var paris = await NewProbeAsync("paris");
        var tokyo = await NewProbeAsync("tokyo");
        var ohio = await NewProbeAsync("ohio");
        var id = await CreateRemoteMonitorAsync(paris.LocationId, tokyo.LocationId, ohio.LocationId);
        await ReportAsync(paris, id, ok: true, "HTTP 200");
        await ReportAsync(tokyo, id, ok: false, "timeout");
        await ReportAsync(ohio, id, ok: true, "HTTP 200");
        await CheckDueAsync();
        (await _app.StatusOfAsync(id)).ShouldBe("degraded");

        // Tokyo goes on failing; paris and ohio fall silent for five minutes.
        for (var i = 0; i < 5; i++)
        {
            _app.Clock.Advance(TimeSpan.FromSeconds(60));
            await ReportAsync(tokyo, id, ok: false, "timeout");
            await CheckDueAsync();
        }

        (await _app.StatusOfAsync(id)).ShouldBe("degraded");
        // The operator hears about the silent locations (their watch monitors), never a down shop.
        _receiver.Requests.ShouldNotContain(r => r.Body.Contains("\"shop\"", StringComparison.Ordinal));
        var monitor = await _app.GetJsonAsync($"api/v1/monitors/{id}");
        monitor["lastMessage"]!.GetValue<string>().ShouldContain("paris: unknown");
    }

    [Fact]
    public async Task A_batch_sent_twice_is_stored_once()
    {
        var paris = await NewProbeAsync("paris");
        var id = await CreateRemoteMonitorAsync(paris.LocationId);

        var first = await ReportAsync(paris, id, ok: true, "HTTP 200", batch: "batch-1");
        var second = await ReportAsync(paris, id, ok: true, "HTTP 200", batch: "batch-1");

        first.ShouldBe(new BatchAnswer(1, false));
        second.ShouldBe(new BatchAnswer(0, true));
        (await _app.GetArrayAsync($"api/v1/monitors/{id}/events")).Count(e => e!["location"]?.GetValue<string>() == paris.LocationId).ShouldBe(1);
    }

    [Fact]
    public async Task A_full_batch_of_long_failure_messages_is_accepted_beyond_the_admin_body_limit()
    {
        var paris = await NewProbeAsync("paris");
        var id = await CreateRemoteMonitorAsync(paris.LocationId);
        var message = new string('x', 3000);
        var results = Enumerable.Range(0, 500).Select(i => new ProbeResult { Monitor = id, At = _app.Clock.GetUtcNow().AddMilliseconds(-i), Ok = false, Message = message }).ToList();

        var response = await paris.Client.PostAsJsonAsync("api/v1/probe/results", new ResultBatch("big", results), ProbeJson.Default.ResultBatch);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync(ProbeJson.Default.BatchAnswer))!.Stored.ShouldBe(500);
    }

    [Fact]
    public async Task Within_a_location_each_check_runs_on_one_live_probe_and_moves_when_its_probe_goes_silent()
    {
        var (locationId, token) = await CreateLocationAsync("paris");
        var a = await EnrolAsync(token, "a");
        var b = await EnrolAsync((await (await _app.Admin.PostAsync($"api/v1/locations/{locationId}/enroll-token", null)).Content.ReadFromJsonAsync<JsonObject>())!["enrollToken"]!.GetValue<string>(), "b");
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await _app.CreateMonitorAsync(new { name = $"site-{i}", kind = "http", target = $"http://site-{i}.invalid/", locations = new[] { locationId } }))["id"]!.GetValue<string>());
        }
        _app.Service<Lifeline.Server.Probes.ProbeHub>().Invalidate();

        var ofA = (await AssignmentsAsync(a)).Checks.Select(c => c.Id).ToList();
        var ofB = (await AssignmentsAsync(b)).Checks.Select(c => c.Id).ToList();

        ofA.Intersect(ofB).ShouldBeEmpty();
        ofA.Concat(ofB).Order().ShouldBe(ids.Order());
        ofA.ShouldNotBeEmpty();
        ofB.ShouldNotBeEmpty();

        // b stops calling: a minute later every check is a's.
        _app.Clock.Advance(TimeSpan.FromSeconds(60));
        _app.Service<Lifeline.Server.Probes.ProbeHub>().Invalidate();
        (await AssignmentsAsync(a)).Checks.Select(c => c.Id).Order().ShouldBe(ids.Order());
    }

    [Fact]
    public async Task A_location_in_use_cannot_be_deleted_and_a_free_one_goes_with_its_watch_monitor()
    {
        var (used, _) = await CreateLocationAsync("paris");
        var (free, _) = await CreateLocationAsync("tokyo");
        await CreateRemoteMonitorAsync(used);
        var watch = (await _app.GetJsonAsync($"api/v1/locations/{free}"))["watchMonitor"]!.GetValue<string>();

        var refused = await _app.Admin.DeleteAsync($"api/v1/locations/{used}");
        var deleted = await _app.Admin.DeleteAsync($"api/v1/locations/{free}");

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("shop");
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _app.Admin.GetAsync($"api/v1/monitors/{watch}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_location_whose_probes_stop_calling_alerts_through_its_watch_monitor()
    {
        var paris = await NewProbeAsync("paris");
        await AssignmentsAsync(paris);
        var watch = (await _app.GetJsonAsync($"api/v1/locations/{paris.LocationId}"))["watchMonitor"]!.GetValue<string>();
        await _app.Admin.PatchAsJsonAsync($"api/v1/monitors/{watch}", new { channels = new[] { _channel } });
        (await _app.StatusOfAsync(watch)).ShouldBe("up");

        _app.Clock.Advance(TimeSpan.FromSeconds(121));
        await _app.SweepAsync();
        await _app.SendsSettledAsync();

        (await _app.StatusOfAsync(watch)).ShouldBe("down");
        (await _receiver.WaitForAsync(1)).ShouldHaveSingleItem().Body.ShouldContain("Location paris");
    }
}

public sealed class PostgresLocationsTests : LocationsTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
