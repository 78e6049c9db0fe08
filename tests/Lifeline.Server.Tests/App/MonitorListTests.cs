using Lifeline.Server.App.Monitors;
using Lifeline.Testing;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>The monitor list at /, in a real headless Chromium against the real server.</summary>
public sealed class MonitorListTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task PushAsync(string token, string query = "") =>
        (await _app.Anonymous.GetAsync($"api/push/{token}{query}")).EnsureSuccessStatusCode();

    private static ILocator Row(IPage page, string name) => page.Locator("table.monitors tr[data-id]", new() { HasText = name });

    [Fact]
    public async Task A_row_shows_the_status_in_text_a_heartbeat_cell_per_result_and_the_uptime()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup", tags = new[] { "db" }, period = 86400 });
        var token = monitor["pushToken"]!.GetValue<string>();
        await PushAsync(token, "?ping=12");
        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await PushAsync(token, "?status=down&msg=disk%20full");
        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await PushAsync(token, "?ping=34");
        _app.Clock.Advance(TimeSpan.FromHours(1));

        var page = await chromium.SignedInPageAsync(_app);
        var row = Row(page, "nightly-backup");

        (await row.Locator(".pill").InnerTextAsync()).Trim().ShouldBe("up", StringCompareShould.IgnoreCase);
        (await row.Locator(".beat.ok").CountAsync()).ShouldBe(2);
        (await row.Locator(".beat.fail").GetAttributeAsync("title"))!.ShouldContain("disk full");
        (await row.Locator(".beat.none").CountAsync()).ShouldBe(MonitorRows.Beats - 3);
        // Down for 30 minutes of the 2 hours since it was created.
        (await row.Locator("td[data-label='24 h']").InnerTextAsync()).Trim().ShouldBe("75.00%");
        (await row.Locator("td.resp").InnerTextAsync()).Trim().ShouldBe("34 ms");
        (await page.Locator(".summary .count.up strong").InnerTextAsync()).ShouldBe("1");
    }

    [Fact]
    public async Task The_down_count_in_the_summary_filters_the_list_down_and_a_tag_filters_it_by_tag()
    {
        var db = await _app.CreateMonitorAsync(new { name = "db-backup", tags = new[] { "db" } });
        await _app.CreateMonitorAsync(new { name = "web-heartbeat", tags = new[] { "web" } });
        await PushAsync(db["pushToken"]!.GetValue<string>(), "?status=down");

        var page = await chromium.SignedInPageAsync(_app);
        (await page.Locator("table.monitors tr[data-id]").CountAsync()).ShouldBe(2);
        await page.ClickAsync(".summary a[data-count=down]");
        await page.WaitForURLAsync("**/?status=down");

        (await page.Locator("table.monitors tr[data-id]").AllInnerTextsAsync()).ShouldHaveSingleItem().ShouldContain("db-backup");

        await page.GotoAsync(_app.BaseUri.ToString());
        await page.FillAsync("#tag", "web");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync("**tag=web**");
        (await page.Locator("table.monitors tr[data-id]").AllInnerTextsAsync()).ShouldHaveSingleItem().ShouldContain("web-heartbeat");
    }

    [Fact]
    public async Task Grouped_by_tag_each_tag_heads_its_monitors()
    {
        await _app.CreateMonitorAsync(new { name = "db-backup", tags = new[] { "db" } });
        await _app.CreateMonitorAsync(new { name = "web-heartbeat", tags = new[] { "web" } });

        var page = await chromium.SignedInPageAsync(_app);
        await page.CheckAsync("input[name=group]");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync("**group=tag**");

        (await page.Locator("tr.group th").AllInnerTextsAsync()).Select(t => t.Split(' ')[0]).ShouldBe(["db", "web"]);
    }

    [Fact]
    public async Task The_list_pages_fifty_monitors_at_a_time()
    {
        for (var i = 0; i < MonitorList.PageSize + 3; i++)
        {
            await _app.CreateMonitorAsync(new { name = $"job-{i:000}" });
        }

        var page = await chromium.SignedInPageAsync(_app);
        (await page.Locator("table.monitors tr[data-id]").CountAsync()).ShouldBe(MonitorList.PageSize);
        await page.ClickAsync("a[rel=next]");
        await page.WaitForURLAsync("**cursor=**");

        (await page.Locator("table.monitors td.name > a:first-child").AllInnerTextsAsync())
            .ShouldBe(["job-050", "job-051", "job-052"]);
        (await page.Locator("a[rel=next]").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_monitor_going_down_changes_its_row_live_without_a_reload()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup" });
        var token = monitor["pushToken"]!.GetValue<string>();
        await PushAsync(token);
        var page = await chromium.SignedInPageAsync(_app);
        var row = Row(page, "nightly-backup");
        (await row.Locator(".pill").InnerTextAsync()).Trim().ShouldBe("up", StringCompareShould.IgnoreCase);
        var feed = _app.Service<LiveFeed>();
        await Eventually.GetAsync(() => Task.FromResult(feed.Subscribers), n => n == 1, TimeSpan.FromSeconds(10));
        var loads = 0;
        page.Load += (_, _) => loads++;

        await PushAsync(token, "?status=down&msg=disk%20full");
        // The feed reads the store once per interval of the server's (manual) clock.
        await Eventually.GetAsync(async () =>
        {
            _app.Clock.Advance(TimeSpan.FromSeconds(2));
            return (await row.Locator(".pill").InnerTextAsync()).Trim();
        }, status => status.Equals("down", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));

        (await row.Locator(".beat.fail").CountAsync()).ShouldBe(1);
        (await row.Locator(".beat.fail").GetAttributeAsync("title"))!.ShouldContain("disk full");
        (await row.Locator(".beat").CountAsync()).ShouldBe(MonitorRows.Beats);
        loads.ShouldBe(0);
    }
}
