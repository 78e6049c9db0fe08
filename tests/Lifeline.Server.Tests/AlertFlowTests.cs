using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>From a push to a webhook notice, through the whole server.</summary>
public class AlertFlowTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;
    private string _id = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _app = await StartAppAsync();
        _receiver = await RecordingServer.StartAsync();
        var channel = await _app.CreateWebhookAsync(_receiver.Url("/hook"), "whsec_c2VjcmV0");
        var monitor = await _app.CreateMonitorAsync(new { name = "backup", period = 60, grace = 30, channels = new[] { channel } });
        _id = monitor["id"]!.GetValue<string>();
        _token = monitor["pushToken"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private static string TypeOf(RecordedRequest r) => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>();

    [Fact]
    public async Task A_down_push_alerts_at_once_and_the_next_up_push_sends_the_recovery()
    {
        await _app.Anonymous.GetAsync($"api/push/{_token}?status=up");
        await _app.Anonymous.GetAsync($"api/push/{_token}?status=down&msg=backup-failed");
        var down = (await _receiver.WaitForAsync(1))[0];
        await _app.Anonymous.GetAsync($"api/push/{_token}?status=up&msg=backup-completed");
        var up = (await _receiver.WaitForAsync(2))[1];

        var body = JsonNode.Parse(down.Body)!;
        body["type"]!.GetValue<string>().ShouldBe("monitor.down");
        body["reason"]!.GetValue<string>().ShouldBe("backup-failed");
        body["monitor"]!["name"]!.GetValue<string>().ShouldBe("backup");
        body["monitor"]!["status"]!.GetValue<string>().ShouldBe("down");
        body["previousStatus"]!.GetValue<string>().ShouldBe("up");
        down.Headers["webhook-signature"].ShouldStartWith("v1,");
        TypeOf(up).ShouldBe("monitor.up");
        up.Headers["webhook-id"].ShouldNotBe(down.Headers["webhook-id"]);
    }

    [Fact]
    public async Task Silence_makes_the_monitor_late_during_grace_then_down_with_one_notice()
    {
        await _app.Anonymous.GetAsync($"api/push/{_token}");

        _app.Clock.Advance(TimeSpan.FromSeconds(61));
        await _app.SweepAsync();
        var late = await _app.StatusOfAsync(_id);
        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        await _app.SweepAsync();
        var notices = await _receiver.WaitForAsync(1);
        await _app.SendsSettledAsync();
        _app.Clock.Advance(TimeSpan.FromMinutes(10));
        await _app.SweepAsync();

        late.ShouldBe("late");
        (await _app.StatusOfAsync(_id)).ShouldBe("down");
        TypeOf(notices.Single()).ShouldBe("monitor.down");
        JsonNode.Parse(notices[0].Body)!["reason"]!.GetValue<string>().ShouldContain("no signal since");
        (await _app.GetArrayAsync($"api/v1/monitors/{_id}/incidents")).Count.ShouldBe(1);
        _receiver.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_paused_monitor_neither_goes_down_nor_alerts()
    {
        await _app.Anonymous.GetAsync($"api/push/{_token}");
        await _app.Admin.PostAsync($"api/v1/monitors/{_id}/pause", null);

        _app.Clock.Advance(TimeSpan.FromHours(2));
        await _app.SweepAsync();

        (await _app.StatusOfAsync(_id)).ShouldBe("paused");
        _receiver.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_channel_test_sends_a_test_notice_through_the_outbox()
    {
        var channelId = (await _app.GetArrayAsync("api/v1/channels"))[0]!["id"]!.GetValue<string>();

        using var response = await _app.Admin.PostAsync($"api/v1/channels/{channelId}/test", null);
        var notice = (await _receiver.WaitForAsync(1))[0];

        ((int)response.StatusCode).ShouldBe(202);
        TypeOf(notice).ShouldBe("test");
        // The attempt is recorded right after the receiver answers.
        var deliveries = await Eventually.GetAsync(() => _app.GetArrayAsync($"api/v1/channels/{channelId}/deliveries"), d => d.Count > 0);
        deliveries[0]!["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task A_failing_job_wrapped_by_healthchecks_pings_alerts_with_its_exit_status_and_output()
    {
        var rid = Guid.NewGuid();
        await _app.Anonymous.GetAsync($"ping/{_token}/start?rid={rid}");
        await _app.Anonymous.PostAsync($"ping/{_token}/3?rid={rid}", new StringContent("step 1 ok\nERROR: disk full"));

        var notice = JsonNode.Parse((await _receiver.WaitForAsync(1))[0].Body)!;

        notice["reason"]!.GetValue<string>().ShouldBe("exit status 3: ERROR: disk full");
    }

    [Fact]
    public async Task A_monitor_left_down_is_reminded_and_a_silent_recovery_sends_nothing()
    {
        using var patch = await _app.Admin.PatchAsync($"api/v1/monitors/{_id}", System.Net.Http.Json.JsonContent.Create(new { remindEvery = 3600, notifyRecovery = false }));
        await _app.Anonymous.GetAsync($"api/push/{_token}?status=down&msg=disk-full");
        await _receiver.WaitForAsync(1);
        await _app.SendsSettledAsync();

        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _app.SweepAsync();
        var reminder = JsonNode.Parse((await _receiver.WaitForAsync(2))[1].Body)!;
        await _app.Anonymous.GetAsync($"api/push/{_token}?status=up");
        // A channel delivers in order: a recovery notice, had one been queued, would come before this test notice.
        var channelId = (await _app.GetArrayAsync("api/v1/channels"))[0]!["id"]!.GetValue<string>();
        await _app.Admin.PostAsync($"api/v1/channels/{channelId}/test", null);
        var third = JsonNode.Parse((await _receiver.WaitForAsync(3))[2].Body)!;

        ((int)patch.StatusCode).ShouldBe(200);
        reminder["type"]!.GetValue<string>().ShouldBe("monitor.down");
        reminder["reminder"]!.GetValue<bool>().ShouldBeTrue();
        reminder["reason"]!.GetValue<string>().ShouldBe("still down: disk-full");
        reminder["incidentStartedAt"].ShouldNotBeNull();
        third["type"]!.GetValue<string>().ShouldBe("test");
        (await _app.StatusOfAsync(_id)).ShouldBe("up");
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresAlertFlowTests : AlertFlowTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
