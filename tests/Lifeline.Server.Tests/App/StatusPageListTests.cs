using System.Net.Http.Json;

namespace Lifeline.Server.Tests.App;

/// <summary>The app's list of status pages, in a real headless Chromium.</summary>
public sealed class StatusPageListTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_status_pages_section_lists_each_page_with_its_public_address()
    {
        var monitor = (await _app.CreateMonitorAsync(new { name = "web" }))["id"]!.GetValue<string>();
        using (var created = await _app.Admin.PostAsJsonAsync("api/v1/status-pages", new { slug = "acme", title = "Acme status", groups = new[] { new { name = "Web", monitors = new[] { monitor } } } }))
        {
            created.IsSuccessStatusCode.ShouldBeTrue();
        }
        var page = await chromium.SignedInPageAsync(_app);

        await page.ClickAsync("nav >> text=Status pages");
        var row = page.Locator("table.status-pages tr", new() { HasText = "Acme status" });

        (await row.InnerTextAsync()).ShouldContain("/status/acme");
        (await row.InnerTextAsync()).ShouldContain("1 in 1 group");
    }
}
