using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>
/// One headless Chromium (Debian's, at /usr/bin/chromium) shared by the tests of a class
/// (<c>IClassFixture&lt;Chromium&gt;</c>); each test opens its own context, so cookies never leak.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        File.Exists(ExecutablePath).ShouldBeTrue($"the app tests need Chromium at {ExecutablePath}: apt-get install -y chromium");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>A fresh page in a fresh context (no cookies), optionally phone-sized or dark.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            ColorScheme = scheme,
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Signs in to the app as its admin (<see cref="LifelineApp.AdminUser"/>), or with
    /// <paramref name="role"/> <c>viewer</c> as <see cref="LifelineApp.ViewerUser"/> (created when
    /// missing), and lands on the monitor list.
    /// </summary>
    public async Task<IPage> SignedInPageAsync(LifelineApp app, int width = 1280, ColorScheme scheme = ColorScheme.Light, string role = "admin")
    {
        ArgumentNullException.ThrowIfNull(app);
        var viewer = role == "viewer";
        if (viewer)
        {
            await app.AddViewerAsync();
        }
        var page = await NewPageAsync(width, scheme);
        await SignInAsync(page, app, viewer ? LifelineApp.ViewerUser : LifelineApp.AdminUser, viewer ? LifelineApp.ViewerPassword : LifelineApp.AdminPassword);
        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
        return page;
    }

    /// <summary>Fills in and sends the sign-in form (without waiting for where it leads).</summary>
    public static async Task SignInAsync(IPage page, LifelineApp app, string username, string password, string path = "login")
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(app);
        await page.GotoAsync(new Uri(app.BaseUri, path).ToString());
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
    }
}
