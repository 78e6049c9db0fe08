using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>The Users and API keys pages, for an admin and for a viewer.</summary>
public sealed class UsersPageTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();

    [Fact]
    public async Task An_admin_adds_a_user_with_errors_next_to_the_fields_and_the_username_kept()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("users"));
        await page.FillAsync("#username", "grace");
        await page.FillAsync("#password", "short");
        await page.ClickAsync("text=Add user");

        (await page.Locator("#password-error").InnerTextAsync()).ShouldBe("Password must be at least 8 characters.");
        (await page.InputValueAsync("#username")).ShouldBe("grace");
        (await page.InputValueAsync("#password")).ShouldBeEmpty();

        await page.FillAsync("#password", "grace-password");
        await page.SelectOptionAsync("#role", "viewer");
        await page.ClickAsync("text=Add user");
        await page.Locator(".notice", new() { HasText = "User grace added" }).WaitForAsync();
        (await page.Locator("table.users tr", new() { HasText = "grace" }).InnerTextAsync()).ShouldContain("viewer");

        await page.FillAsync("#username", "GRACE");
        await page.FillAsync("#password", "another-password");
        await page.ClickAsync("text=Add user");
        (await page.Locator("#username-error").InnerTextAsync()).ShouldContain("taken");
    }

    [Fact]
    public async Task An_admin_changes_a_role_resets_a_password_and_deletes_a_user_after_confirming()
    {
        var id = await _app.AddViewerAsync();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("users"));
        await page.ClickAsync($"a[href='/users/{id}']");

        await page.SelectOptionAsync("#role", "admin");
        await page.ClickAsync("button:has-text(\"Change role\")");
        await page.Locator(".notice", new() { HasText = "viewer is now admin" }).WaitForAsync();

        await page.FillAsync("#password", "the-reset-password");
        await page.ClickAsync("button:has-text(\"Set password\")");
        await page.Locator(".notice", new() { HasText = "password was changed" }).WaitForAsync();
        var accounts = _app.Service<Lifeline.Server.Security.UserAccounts>();
        (await accounts.VerifyAsync(LifelineApp.ViewerUser, "the-reset-password", CancellationToken.None)).ShouldNotBeNull();

        await page.ClickAsync("button:has-text(\"Delete user\")");
        (await page.Locator("#delete-error").InnerTextAsync()).ShouldContain("Tick the box");
        (await _app.Service<IUserStore>().FindUserAsync(id, CancellationToken.None)).ShouldNotBeNull();

        await page.CheckAsync("#confirm");
        await page.ClickAsync("button:has-text(\"Delete user\")");
        await page.Locator(".notice", new() { HasText = "User viewer deleted" }).WaitForAsync();
        (await _app.Service<IUserStore>().FindUserAsync(id, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task The_last_admin_cannot_demote_themselves()
    {
        var admin = await _app.Service<IUserStore>().FindUserByNameAsync(LifelineApp.AdminUser, CancellationToken.None);
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"users/{admin!.Id}"));
        await page.SelectOptionAsync("#role", "viewer");
        await page.ClickAsync("button:has-text(\"Change role\")");

        (await page.Locator("#role-error").InnerTextAsync()).ShouldContain("last admin");
        (await page.Locator("h1 .role").TextContentAsync()).ShouldBe("admin");
        (await _app.Service<IUserStore>().FindUserAsync(admin.Id, CancellationToken.None))!.Role.ShouldBe(User.Admin);
    }

    [Fact]
    public async Task A_new_key_is_shown_once_works_for_the_api_and_can_be_deleted()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("keys"));
        await page.ClickAsync("text=Create key");
        (await page.Locator("#name-error").InnerTextAsync()).ShouldBe("Enter a name.");

        await page.FillAsync("#name", "backup script");
        await page.SelectOptionAsync("#access", "read-only");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("text=Create key"), r => r.Request.Method == "POST");
        (await response.HeaderValueAsync("cache-control")).ShouldBe("no-store");
        var key = await page.InputValueAsync("#new-key");
        key.ShouldStartWith("ll_");
        (await page.Locator("button.copy").IsVisibleAsync()).ShouldBeTrue();
        (await page.Locator("table.keys tr", new() { HasText = "backup script" }).InnerTextAsync()).ShouldContain("read-only");

        using var script = new HttpClient { BaseAddress = _app.BaseUri };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await script.GetAsync("api/v1/monitors")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await script.DeleteAsync("api/v1/monitors/x")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await page.GotoAsync(Url("keys"));
        (await page.ContentAsync()).ShouldNotContain(key);

        var row = page.Locator("table.keys tr", new() { HasText = "backup script" });
        await row.Locator("summary").ClickAsync();
        await row.Locator("button", new() { HasText = "Delete key backup script" }).ClickAsync();
        await page.Locator(".notice", new() { HasText = "Key backup script deleted" }).WaitForAsync();
        (await script.GetAsync("api/v1/monitors")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_viewer_sees_no_users_or_keys_and_is_denied_them_and_sees_no_push_token()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "nightly-backup" });
        var token = monitor["pushToken"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        (await page.Locator("header .who").InnerTextAsync()).ShouldContain("viewer");
        (await page.Locator("header nav a", new() { HasText = "Users" }).CountAsync()).ShouldBe(0);
        (await page.Locator("header nav a", new() { HasText = "API keys" }).CountAsync()).ShouldBe(0);
        (await page.ContentAsync()).ShouldContain("nightly-backup");
        (await page.ContentAsync()).ShouldNotContain(token);

        foreach (var path in new[] { "users", "keys" })
        {
            await page.GotoAsync(Url(path));
            page.Url.ShouldContain("/denied");
            (await page.Locator("h1").InnerTextAsync()).ShouldBe("Not allowed");
        }
    }
}
