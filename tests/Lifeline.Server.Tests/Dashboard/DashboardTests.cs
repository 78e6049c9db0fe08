using Microsoft.Playwright;

namespace Lifeline.Server.Tests.Dashboard;

/// <summary>The dashboard in a real headless Chromium (Debian's, at /usr/bin/chromium) against the real server.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private LifelineApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"the dashboard tests need Chromium at {ChromiumPath}: apt-get install -y chromium");
        _app = await LifelineApp.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<IPage> OpenWithKeyAsync()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_app.BaseUri.ToString());
        await page.FillAsync("#key", LifelineApp.AdminKey);
        await page.ClickAsync("#key-form button");
        return page;
    }

    [Fact]
    public async Task The_dashboard_lists_monitors_with_their_status_after_the_key_is_entered()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup" });
        await _app.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}?status=down&msg=failed");

        var page = await OpenWithKeyAsync();
        var row = page.Locator("#rows tr", new() { HasText = "nightly-backup" });
        await row.WaitForAsync();

        (await row.Locator(".status").InnerTextAsync()).Trim().ShouldBe("down", StringCompareShould.IgnoreCase);
        (await page.Locator("#counts").InnerTextAsync()).ShouldContain("down: 1");
        (await row.InnerTextAsync()).ShouldContain("/api/push/");
    }

    [Fact]
    public async Task A_push_monitor_created_in_the_dashboard_exists_in_the_api()
    {
        var page = await OpenWithKeyAsync();
        await page.Locator("#app").WaitForAsync();

        await page.FillAsync("#new-name", "from-the-browser");
        await page.FillAsync("#new-period", "300");
        await page.ClickAsync("#create button");
        await page.Locator("#rows tr", new() { HasText = "from-the-browser" }).WaitForAsync();

        var items = (await _app.GetJsonAsync("api/v1/monitors?q=from-the-browser"))["items"]!.AsArray();
        items.Single()!["period"]!.GetValue<double>().ShouldBe(300);
    }

    [Fact]
    public async Task A_wrong_key_brings_back_the_key_form()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_app.BaseUri.ToString());
        await page.FillAsync("#key", "not-the-right-key-at-all");
        await page.ClickAsync("#key-form button");

        await page.Locator("#login").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        (await page.Locator("#app").IsHiddenAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task The_link_in_a_notice_opens_the_monitor_with_its_events_and_incidents()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "db-sync" });
        var token = monitor["pushToken"]!.GetValue<string>();
        await _app.Anonymous.GetAsync($"api/push/{token}?status=down&msg=sync-failed");
        await _app.Anonymous.GetAsync($"api/push/{token}?status=up&msg=sync-ok");

        var page = await _browser.NewPageAsync();
        await page.GotoAsync($"{_app.BaseUri}#/monitors/{monitor["id"]!.GetValue<string>()}");
        await page.FillAsync("#key", LifelineApp.AdminKey);
        await page.ClickAsync("#key-form button");
        await page.Locator("#events tr").Nth(1).WaitForAsync();

        (await page.Locator("#detail-name").InnerTextAsync()).ShouldBe("db-sync");
        (await page.Locator("#detail-status").InnerTextAsync()).Trim().ShouldBe("up", StringCompareShould.IgnoreCase);
        (await page.Locator("#events").InnerTextAsync()).ShouldContain("sync-failed");
        (await page.Locator("#incidents").InnerTextAsync()).ShouldContain("sync-failed");
    }
}
