using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>The monitor page at /monitors/{id}, in a real headless Chromium against the real server.</summary>
public sealed class MonitorPageTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task PushAsync(string token, string query = "") =>
        (await _app.Anonymous.GetAsync($"api/push/{token}{query}")).EnsureSuccessStatusCode();

    [Fact]
    public async Task A_push_monitors_page_shows_its_chart_events_incidents_notices_and_snippets_with_the_real_url()
    {
        var hook = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup", channels = new[] { hook }, period = 86400 });
        var id = monitor["id"]!.GetValue<string>();
        var token = monitor["pushToken"]!.GetValue<string>();
        await PushAsync(token, "?ping=20");
        _app.Clock.Advance(TimeSpan.FromMinutes(10));
        await PushAsync(token, "?status=down&msg=disk%20full");
        _app.Clock.Advance(TimeSpan.FromMinutes(10));
        await PushAsync(token, "?ping=40&msg=back");

        var page = await chromium.SignedInPageAsync(_app);
        var response = await page.GotoAsync(new Uri(_app.BaseUri, $"monitors/{id}").ToString());

        response!.Status.ShouldBe(200);
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("nightly-backup");
        (await page.Locator("#status").InnerTextAsync()).Trim().ShouldBe("up", StringCompareShould.IgnoreCase);
        (await page.Locator("svg.chart.fine-chart title").First.TextContentAsync())!.ShouldContain("2 points, median 40 ms");
        (await page.Locator("svg.chart circle.fail").CountAsync()).ShouldBe(1);
        (await page.Locator(".days .day").CountAsync()).ShouldBe(90);
        var events = await page.Locator("table.events tbody tr").AllInnerTextsAsync();
        events.Count.ShouldBe(3);
        events[0].ShouldContain("back");
        events[1].ShouldContain("disk full");
        (await page.Locator("table.incidents tbody tr").InnerTextAsync()).ShouldContain("10 min");
        var notices = await page.Locator("table.notices tbody tr").AllInnerTextsAsync();
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.Contains("hook"));
        var pingUrl = new Uri(_app.BaseUri, $"ping/{token}").ToString();
        (await page.Locator("#snippet-curl").InnerTextAsync()).ShouldContain(pingUrl);
        (await page.Locator("#snippet-cron").TextContentAsync())!.ShouldContain($"lifeline run --url {pingUrl} --");
        (await page.Locator("#snippet-systemd").TextContentAsync())!.ShouldContain($"lifeline agent --url {new Uri(_app.BaseUri, $"api/push/{token}")}");
        (await page.Locator("#snippet-csharp").TextContentAsync())!.ShouldContain("AddLifelineHeartbeat");
        foreach (var snippet in new[] { "bash", "python", "node", "powershell" })
        {
            (await page.Locator($"#snippet-{snippet}").TextContentAsync())!.ShouldContain(token);
        }
    }

    [Fact]
    public async Task A_viewer_sees_the_snippets_with_the_token_hidden()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup" });
        var token = monitor["pushToken"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        await page.GotoAsync(new Uri(_app.BaseUri, $"monitors/{monitor["id"]}").ToString());

        (await page.Locator("#snippet-curl").TextContentAsync())!.ShouldContain(new Uri(_app.BaseUri, "ping/").ToString());
        (await page.ContentAsync()).ShouldNotContain(token);
        (await page.Locator(".masked").InnerTextAsync()).ShouldContain("hidden");
    }

    [Fact]
    public async Task Events_page_back_from_the_newest()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "chatty" });
        var token = monitor["pushToken"]!.GetValue<string>();
        for (var i = 1; i <= 30; i++)
        {
            await PushAsync(token, $"?msg=beat-{i:00}");
        }

        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(new Uri(_app.BaseUri, $"monitors/{monitor["id"]}").ToString());
        (await page.Locator("table.events tbody tr").First.InnerTextAsync()).ShouldContain("beat-30");
        await page.ClickAsync("a[rel=next]");
        await page.WaitForURLAsync("**before=**");

        var older = await page.Locator("table.events tbody tr").AllInnerTextsAsync();
        older.Count.ShouldBe(5);
        older[0].ShouldContain("beat-05");
    }

    [Fact]
    public async Task An_unknown_monitor_is_a_404_page()
    {
        var page = await chromium.SignedInPageAsync(_app);
        var response = await page.GotoAsync(new Uri(_app.BaseUri, "monitors/nope").ToString());

        response!.Status.ShouldBe((int)HttpStatusCode.NotFound);
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Not found");
    }
}
