using System.Net;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Signing in to the app, in a real headless Chromium against the real server.</summary>
public sealed class SignInTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_page_of_the_app_sends_a_stranger_to_the_sign_in_page()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _app.BaseUri };
        var response = await client.GetAsync("");

        response.StatusCode.ShouldBe(HttpStatusCode.Found);
        response.Headers.Location!.ToString().ShouldContain("/login");
    }

    [Fact]
    public async Task After_signing_in_the_monitor_list_shows_each_monitor_with_its_status_in_text()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup", tags = new[] { "db" } });
        await _app.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}?status=down&msg=failed");

        var page = await chromium.SignedInPageAsync(_app);
        var row = page.Locator("table.monitors tr", new() { HasText = "nightly-backup" });

        (await row.Locator(".pill").InnerTextAsync()).Trim().ShouldBe("down", StringCompareShould.IgnoreCase);
        (await row.InnerTextAsync()).ShouldContain("db");
    }

    [Fact]
    public async Task A_wrong_key_is_refused_next_to_the_field()
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseUri, "login").ToString());
        await page.FillAsync("#key", "not-the-right-key-at-all");
        await page.ClickAsync("button[type=submit]");

        (await page.Locator("#key-error").InnerTextAsync()).ShouldContain("not known");
        page.Url.ShouldContain("/login");
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.ClickAsync("text=Sign out");
        await page.Locator("#key").WaitForAsync();

        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldContain("/login");
    }
}
