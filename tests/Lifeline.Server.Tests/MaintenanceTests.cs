using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>Maintenance windows through the whole server: the API, inMaintenance, and the webhook a window holds or sends.</summary>
public sealed class MaintenanceTests : IAsyncLifetime
{
    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;
    private string _id = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync();
        _receiver = await RecordingServer.StartAsync();
        var channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"));
        var monitor = await _app.CreateMonitorAsync(new { name = "db-backup", period = 60, tags = new[] { "database" }, channels = new[] { channel } });
        _id = monitor["id"]!.GetValue<string>();
        _token = monitor["pushToken"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body)
    {
        using var response = await _app.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_monitor_down_in_a_window_sends_nothing_then_alerts_once_when_the_window_ends()
    {
        var now = _app.Clock.GetUtcNow();
        var (status, window) = await PostAsync("api/v1/maintenance", new { name = "db upgrade", tags = new[] { "database" }, start = Time(now), end = Time(now.AddMinutes(30)) });
        status.ShouldBe(HttpStatusCode.Created, window?.ToJsonString());
        (await _app.GetJsonAsync($"api/v1/monitors/{_id}"))["inMaintenance"]!.GetValue<bool>().ShouldBeTrue();

        await _app.Anonymous.GetAsync($"api/push/{_token}?status=down&msg=dump-failed");
        await _app.Service<MaintenanceSweep>().SweepOnceAsync(CancellationToken.None);
        await Task.Delay(200);
        var during = _receiver.Requests.Count;
        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await _app.Service<MaintenanceSweep>().SweepOnceAsync(CancellationToken.None);
        await _app.Service<MaintenanceSweep>().SweepOnceAsync(CancellationToken.None);
        var alert = (await _receiver.WaitForAsync(1)).Single();

        during.ShouldBe(0);
        var body = JsonNode.Parse(alert.Body)!;
        body["type"]!.GetValue<string>().ShouldBe("monitor.down");
        body["reason"]!.GetValue<string>().ShouldBe("still down after maintenance: dump-failed");
        (await _app.GetJsonAsync($"api/v1/monitors/{_id}"))["inMaintenance"]!.GetValue<bool>().ShouldBeFalse();
        await Task.Delay(200);
        _receiver.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_pause_window_pauses_the_monitor_and_ending_a_manual_window_resumes_it()
    {
        await _app.Anonymous.GetAsync($"api/push/{_token}");
        var (status, window) = await PostAsync("api/v1/maintenance", new { name = "move racks", monitors = new[] { _id }, manual = true, effect = "pause" });
        status.ShouldBe(HttpStatusCode.Created, window?.ToJsonString());
        var paused = await _app.StatusOfAsync(_id);

        var (ended, _) = await PostAsync($"api/v1/maintenance/{window!["id"]}/end", new { });
        var (endedTwice, _) = await PostAsync($"api/v1/maintenance/{window["id"]}/end", new { });

        paused.ShouldBe("paused");
        ended.ShouldBe(HttpStatusCode.OK);
        endedTwice.ShouldBe(HttpStatusCode.Conflict);
        (await _app.StatusOfAsync(_id)).ShouldBe("up");
    }

    [Fact]
    public async Task A_recurring_window_is_listed_with_its_next_start_and_can_be_changed_and_deleted()
    {
        var (status, window) = await PostAsync("api/v1/maintenance", new { name = "nightly", monitors = new[] { _id }, schedule = "30 2 * * *", duration = 3600, tz = "Europe/Berlin" });
        status.ShouldBe(HttpStatusCode.Created, window?.ToJsonString());
        var id = window!["id"]!.GetValue<string>();

        using var patch = await _app.Admin.PatchAsJsonAsync($"api/v1/maintenance/{id}", new { duration = 7200 });
        var list = await _app.GetArrayAsync("api/v1/maintenance");
        using var delete = await _app.Admin.DeleteAsync($"api/v1/maintenance/{id}");
        using var gone = await _app.Admin.GetAsync($"api/v1/maintenance/{id}");

        window["kind"]!.GetValue<string>().ShouldBe("recurring");
        window["nextStart"]!.GetValue<string>().ShouldBe("2026-01-06T01:30:00.000Z");
        patch.StatusCode.ShouldBe(HttpStatusCode.OK);
        list.Single()!["duration"]!.GetValue<double>().ShouldBe(7200);
        delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":"x","monitors":["nope"],"manual":true}""", "monitors: no monitor with id 'nope'")]
    [InlineData("""{"name":"x","tags":["a"],"schedule":"61 * * * *","duration":60}""", "schedule:")]
    [InlineData("""{"name":"x","tags":["a"],"schedule":"0 2 * * *","duration":60,"tz":"Mars/Olympus"}""", "tz:")]
    [InlineData("""{"name":"x","tags":["a"],"schedule":"0 2 * * *","duration":0}""", "duration must be")]
    [InlineData("""{"name":"x","tags":["a"],"start":"2026-01-05T13:00:00Z","end":"2026-01-05T12:00:00Z"}""", "end must be after start")]
    [InlineData("""{"name":"x","tags":["a"],"start":"tomorrow","end":"2026-01-05T12:00:00Z"}""", "start must be an ISO 8601 time")]
    [InlineData("""{"name":"x","manual":true}""", "monitors or tags")]
    [InlineData("""{"monitors":[],"tags":["a"],"manual":true}""", "name is required")]
    [InlineData("""{"name":"x","tags":["a"],"manual":true,"effect":"silence"}""", "effect must be")]
    [InlineData("""{"name":"x","tags":["a"]}""", "start and end (one-off), schedule and duration (recurring) or manual: true is required")]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string error)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _app.Admin.PostAsync("api/v1/maintenance", content);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        JsonNode.Parse(body)!["error"]!.GetValue<string>().ShouldContain(error);
    }

    [Fact]
    public async Task A_read_only_key_may_read_windows_but_not_write_them()
    {
        using var created = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "viewer", readOnly = true });
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        using var viewer = new HttpClient { BaseAddress = _app.BaseUri };
        viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);

        using var list = await viewer.GetAsync("api/v1/maintenance");
        using var write = await viewer.PostAsJsonAsync("api/v1/maintenance", new { name = "x", tags = new[] { "a" }, manual = true });

        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        write.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
