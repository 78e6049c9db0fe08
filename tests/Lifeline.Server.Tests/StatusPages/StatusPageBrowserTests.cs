using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.StatusPages;

/// <summary>A status page in a real headless Chromium (the shared <see cref="App.Chromium"/> fixture) against the real server.</summary>
public sealed class StatusPageBrowserTests(App.Chromium chromium) : IClassFixture<App.Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_status_page_shows_each_monitors_state_in_text_the_banner_and_the_notes()
    {
        // Twelve days of history, written through the store with the signals' own times (moving the
        // server's clock by days would run every scheduler tick in between).
        var store = _app.Service<IMonitorStore>();
        var now = _app.Clock.GetUtcNow();
        async Task<Monitor> MonitorAsync(string name) => await store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(), Name = name, PushToken = Secrets.NewPushToken(), Period = TimeSpan.FromDays(30), CreatedAt = now.AddDays(-12),
        }, CancellationToken.None);
        async Task SignalAsync(Monitor m, DateTimeOffset at, bool ok = true) =>
            await store.RecordAsync(SignalAddress.ForToken(m.PushToken!), new Signal { Kind = SignalKind.Push, Ok = ok, At = at, Message = ok ? "ok" : "timeout" }, CancellationToken.None);
        var web = await MonitorAsync("Website");
        var api = await MonitorAsync("Public API");
        var jobs = await MonitorAsync("Nightly export");
        for (var day = 12; day >= 1; day--)
        {
            var at = now.AddDays(-day);
            await SignalAsync(web, at);
            await SignalAsync(jobs, at);
            await SignalAsync(api, at);
            if (day % 4 == 1)
            {
                await SignalAsync(api, at.AddMinutes(1), ok: false);
                await SignalAsync(api, at.AddMinutes(1 + 20 * day));
            }
        }
        await SignalAsync(api, now, ok: false);
        using var created = await _app.Admin.PostAsJsonAsync("api/v1/status-pages", new
        {
            slug = "acme", title = "Acme Cloud status", description = "Live status of the services Acme runs for you.",
            groups = new object[]
            {
                new { name = "Customer facing", monitors = new[] { web.Id, api.Id } },
                new { name = "Background jobs", monitors = new[] { jobs.Id } },
            },
        });
        var pageId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        using var note = await _app.Admin.PostAsJsonAsync($"api/v1/status-pages/{pageId}/incidents",
            new { title = "Public API timeouts", body = "Some API requests time out. We are looking into it.", state = "investigating" });
        note.EnsureSuccessStatusCode();

        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync($"{_app.BaseUri}status/acme");
        await Screenshots(page);

        (await page.Locator("#banner").InnerTextAsync()).ShouldContain("Partial outage");
        var rows = page.Locator(".monitor");
        (await rows.CountAsync()).ShouldBe(3);
        (await page.Locator(".monitor", new() { HasText = "Website" }).Locator(".state").InnerTextAsync()).ShouldBe("Operational");
        (await page.Locator(".monitor", new() { HasText = "Public API" }).Locator(".state").InnerTextAsync()).ShouldBe("Down");
        (await page.Locator(".monitor", new() { HasText = "Nightly export" }).Locator(".state").InnerTextAsync()).ShouldBe("Operational");
        (await page.Locator(".monitor", new() { HasText = "Website" }).Locator("svg.bars rect").CountAsync()).ShouldBe(90);
        (await page.Locator("#notes").InnerTextAsync()).ShouldContain("Public API timeouts");
        (await page.ContentAsync()).ShouldNotContain(api.PushToken!);
    }

    /// <summary>With LIFELINE_SCREENSHOTS set to a folder: the page in light, dark and at phone width, to look at.</summary>
    private async Task Screenshots(IPage light)
    {
        if (Environment.GetEnvironmentVariable("LIFELINE_SCREENSHOTS") is not { Length: > 0 } folder)
        {
            return;
        }
        Directory.CreateDirectory(folder);
        var url = light.Url;
        await light.ScreenshotAsync(new() { Path = Path.Combine(folder, "status-light.png"), FullPage = true });
        var dark = await chromium.Browser.NewPageAsync(new() { ColorScheme = ColorScheme.Dark });
        await dark.GotoAsync(url);
        await dark.ScreenshotAsync(new() { Path = Path.Combine(folder, "status-dark.png"), FullPage = true });
        var phone = await chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 375, Height = 812 }, IsMobile = true });
        await phone.GotoAsync(url);
        await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, "status-phone.png"), FullPage = true });
        var phoneDark = await chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 375, Height = 812 }, IsMobile = true, ColorScheme = ColorScheme.Dark });
        await phoneDark.GotoAsync(url);
        await phoneDark.ScreenshotAsync(new() { Path = Path.Combine(folder, "status-phone-dark.png"), FullPage = true });
    }
}
