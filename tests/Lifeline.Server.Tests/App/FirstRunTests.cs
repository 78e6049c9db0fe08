using System.Net;
using Lifeline.Server.Security;

namespace Lifeline.Server.Tests.App;

/// <summary>A server with no user yet: every page leads to /setup, which creates the first admin once.</summary>
public sealed class FirstRunTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync(LifelineApp.NoAdminUser);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task With_no_user_every_page_and_the_sign_in_page_lead_to_setup()
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(_app.BaseUri.ToString());
        page.Url.ShouldEndWith("/setup");

        await page.GotoAsync(new Uri(_app.BaseUri, "login").ToString());
        page.Url.ShouldEndWith("/setup");
    }

    [Fact]
    public async Task Setup_creates_the_first_admin_signs_them_in_and_is_then_gone()
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseUri, "setup").ToString());
        await page.FillAsync("#username", "Alice");
        await page.FillAsync("#password", "correct horse battery");
        await page.FillAsync("#confirm", "correct horse battery");
        await page.ClickAsync("button[type=submit]");

        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
        (await page.Locator("header .who").InnerTextAsync()).ShouldContain("Alice");
        (await page.Locator("header .who").InnerTextAsync()).ShouldContain("admin");
        var alice = await _app.Service<IUserStore>().FindUserByNameAsync("alice", CancellationToken.None);
        alice!.Role.ShouldBe(User.Admin);
        alice.PasswordHash.ShouldNotContain("correct horse");

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _app.BaseUri };
        var again = await client.GetAsync("setup");
        again.StatusCode.ShouldBe(HttpStatusCode.Found);
        again.Headers.Location!.ToString().ShouldEndWith("/login");
    }

    [Fact]
    public async Task Setup_shows_each_problem_next_to_its_field_and_keeps_the_username_but_no_password()
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseUri, "setup").ToString());
        await page.FillAsync("#username", "bob");
        await page.FillAsync("#password", "short");
        await page.ClickAsync("button[type=submit]");

        (await page.Locator("#password-error").InnerTextAsync()).ShouldBe("Password must be at least 8 characters.");
        (await page.InputValueAsync("#username")).ShouldBe("bob");
        (await page.InputValueAsync("#password")).ShouldBeEmpty();

        await page.FillAsync("#username", "bob smith");
        await page.FillAsync("#password", "long enough one");
        await page.FillAsync("#confirm", "long enough two");
        await page.ClickAsync("button[type=submit]");
        (await page.Locator("#username-error").InnerTextAsync()).ShouldContain("letters, digits");
        (await page.Locator("#confirm-error").InnerTextAsync()).ShouldBe("The two passwords differ.");
        (await _app.Service<IUserStore>().AnyUserAsync(CancellationToken.None)).ShouldBeFalse();
    }
}

/// <summary>LIFELINE_ADMIN_USER and LIFELINE_ADMIN_PASSWORD create the first admin without a browser.</summary>
public sealed class AdminFromEnvironmentTests
{
    [Fact]
    public async Task The_configured_admin_exists_at_start_and_a_second_start_leaves_it_as_it_is()
    {
        await using var app = await LifelineApp.StartAsync();
        var users = await app.GetArrayAsync("api/v1/users");

        users.Count.ShouldBe(1);
        users[0]!["username"]!.GetValue<string>().ShouldBe(LifelineApp.AdminUser);
        users[0]!["role"]!.GetValue<string>().ShouldBe("admin");
        var accounts = app.Service<UserAccounts>();
        (await accounts.VerifyAsync(LifelineApp.AdminUser, LifelineApp.AdminPassword, CancellationToken.None)).ShouldNotBeNull();
        (await accounts.EnsureAdminAsync(LifelineApp.AdminUser, "another-password", CancellationToken.None)).ShouldBeFalse();
        (await accounts.VerifyAsync(LifelineApp.AdminUser, LifelineApp.AdminPassword, CancellationToken.None)).ShouldNotBeNull();
    }

    [Theory]
    [InlineData("admin", "short", "LIFELINE_ADMIN_PASSWORD: password must be at least 8 characters")]
    [InlineData("has space", "long-enough-password", "LIFELINE_ADMIN_USER: username must be")]
    [InlineData("admin", "", "LIFELINE_ADMIN_USER is set but LIFELINE_ADMIN_PASSWORD is not")]
    [InlineData("", "long-enough-password", "LIFELINE_ADMIN_PASSWORD is set but LIFELINE_ADMIN_USER is not")]
    public void Bad_values_are_refused_naming_the_variable(string user, string password, string message) =>
        UserAccounts.Problems(user, password)!.ShouldStartWith(message);

    [Fact]
    public async Task The_real_process_creates_the_admin_from_the_environment_and_refuses_a_short_password_with_exit_2()
    {
        using var temp = new Lifeline.Testing.TempFolder();
        var launch = new LifelineProcess.Launch(Environment: new Dictionary<string, string>
        {
            ["LIFELINE_ADMIN_USER"] = "root",
            ["LIFELINE_ADMIN_PASSWORD"] = "short",
        });
        var (code, output) = await LifelineProcess.RunToExitAsync(temp.Path, launch, TimeSpan.FromSeconds(60));
        code.ShouldBe(2);
        output.ShouldContain("LIFELINE_ADMIN_PASSWORD: password must be at least 8 characters");
        output.ShouldNotContain("   at ");

        await using var server = await LifelineProcess.StartAsync(temp.Path, launch with
        {
            Environment = new Dictionary<string, string> { ["LIFELINE_ADMIN_USER"] = "root", ["LIFELINE_ADMIN_PASSWORD"] = "a-long-password" },
        });
        var users = await server.Admin.GetStringAsync("api/v1/users");
        users.ShouldContain("\"username\":\"root\"");
        users.ShouldContain("\"role\":\"admin\"");
        users.ShouldNotContain("a-long-password");
    }
}
