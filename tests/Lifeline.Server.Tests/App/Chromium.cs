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

    /// <summary>Signs in to the app as its admin and lands on the monitor list.</summary>
    public async Task<IPage> SignedInPageAsync(LifelineApp app, int width = 1280, ColorScheme scheme = ColorScheme.Light)
    {
        var page = await NewPageAsync(width, scheme);
        await page.GotoAsync(new Uri(app.BaseUri, "login").ToString());
        await page.FillAsync("#key", LifelineApp.AdminKey);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
        return page;
    }
}
