using System.Net;
using System.Net.Http.Json;
using Lifeline.Server.Security;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Signing in to the app with a username and password, in a real headless Chromium against the real server.</summary>
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
        (await page.Locator("header .who").InnerTextAsync()).ShouldContain("admin");
    }

    [Fact]
    public async Task The_username_is_compared_without_case()
    {
        var page = await chromium.NewPageAsync();
        await Chromium.SignInAsync(page, _app, "ADMIN", LifelineApp.AdminPassword);

        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_next_to_the_field_which_comes_back_empty()
    {
        var page = await chromium.NewPageAsync();
        await Chromium.SignInAsync(page, _app, LifelineApp.AdminUser, "not-the-password");

        (await page.Locator("#login-error").InnerTextAsync()).ShouldContain("Wrong username or password");
        (await page.InputValueAsync("#username")).ShouldBe(LifelineApp.AdminUser);
        (await page.InputValueAsync("#password")).ShouldBeEmpty();
        (await page.ContentAsync()).ShouldNotContain("not-the-password");
        page.Url.ShouldContain("/login");
    }

    [Fact]
    public async Task An_unknown_username_gets_the_same_answer_as_a_wrong_password()
    {
        var page = await chromium.NewPageAsync();
        await Chromium.SignInAsync(page, _app, "nobody", "whatever-it-is");

        (await page.Locator("#login-error").InnerTextAsync()).ShouldContain("Wrong username or password");
    }

    [Fact]
    public async Task Signing_in_returns_to_the_page_asked_for_but_never_to_another_site()
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseUri, "denied").ToString());
        page.Url.ShouldContain("ReturnUrl=%2Fdenied");
        await page.FillAsync("#username", LifelineApp.AdminUser);
        await page.FillAsync("#password", LifelineApp.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("h1", new() { HasText = "Not allowed" }).WaitForAsync();

        var other = await chromium.NewPageAsync();
        await Chromium.SignInAsync(other, _app, LifelineApp.AdminUser, LifelineApp.AdminPassword, "login?ReturnUrl=%2F%2Fexample.com%2F");
        await other.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
        new Uri(other.Url).Host.ShouldBe(_app.BaseUri.Host);
    }

    [Fact]
    public async Task Five_failures_refuse_even_the_right_password_until_the_window_has_passed()
    {
        var page = await chromium.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await Chromium.SignInAsync(page, _app, LifelineApp.AdminUser, $"wrong-password-{i}");
            (await page.Locator("#login-error").InnerTextAsync()).ShouldContain("Wrong username or password");
        }

        await Chromium.SignInAsync(page, _app, LifelineApp.AdminUser, LifelineApp.AdminPassword);
        (await page.Locator("#login-error").InnerTextAsync()).ShouldBe("Too many failed sign-ins. Try again in 15 minutes.");

        _app.Clock.Advance(TimeSpan.FromMinutes(15));
        await Chromium.SignInAsync(page, _app, LifelineApp.AdminUser, LifelineApp.AdminPassword);
        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
    }

    [Fact]
    public async Task A_refused_sign_in_answers_429_with_retry_after()
    {
        var throttle = _app.Service<SignInThrottle>();
        for (var i = 0; i < 5; i++)
        {
            throttle.Failed("127.0.0.1", "admin");
        }
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseUri, "login").ToString());
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", LifelineApp.AdminPassword);
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST");

        response.Status.ShouldBe(429);
        (await response.HeaderValueAsync("retry-after")).ShouldBe("600");
        (await page.Locator("#login-error").InnerTextAsync()).ShouldContain("Try again in 10 minutes");
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.ClickAsync("text=Sign out");
        await page.Locator("#username").WaitForAsync();

        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldContain("/login");
    }

    [Fact]
    public async Task Deleting_a_user_ends_their_session_at_once_on_this_node()
    {
        var id = await _app.AddViewerAsync();
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        (await _app.Admin.DeleteAsync($"api/v1/users/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldContain("/login");
    }

    [Fact]
    public async Task A_new_password_ends_the_sessions_signed_in_with_the_old_one()
    {
        var id = await _app.AddViewerAsync();
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        (await _app.Admin.PatchAsJsonAsync($"api/v1/users/{id}", new { password = "a-brand-new-password" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldContain("/login");
    }

    [Fact]
    public async Task A_user_deleted_on_another_node_is_signed_out_once_the_recheck_time_has_passed()
    {
        var id = await _app.AddViewerAsync();
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        // Straight in the store, as another node would: this node still trusts what it read.
        (await _app.Service<IUserStore>().DeleteUserAsync(id, CancellationToken.None)).ShouldBe(UserChange.Done);
        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldNotContain("/login");

        _app.Clock.Advance(TimeSpan.FromSeconds(5));
        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldContain("/login");
    }
}
