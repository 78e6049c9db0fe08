using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>A viewer (read-only) sees channel and maintenance lists, and no secrets, edit pages or buttons.</summary>
public sealed class ViewerFormsTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Secret = "viewer-must-not-see-this-secret";

    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_viewer_reads_the_lists_without_edit_controls_and_is_turned_away_from_edit_pages_and_actions()
    {
        var channel = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook?token=abc", Secret);
        var monitor = (await _app.CreateMonitorAsync(new { name = "db" }))["id"]!.GetValue<string>();
        using (var window = await _app.Admin.PostAsJsonAsync("api/v1/maintenance", new { name = "nightly", manual = true, monitors = new[] { monitor } }))
        {
            window.IsSuccessStatusCode.ShouldBeTrue();
        }
        var page = await SignedInViewerAsync();

        await page.GotoAsync(Url("channels"));
        (await page.Locator("table.channels").InnerTextAsync()).ShouldContain("hook");
        (await page.Locator("a[href='/channels/new']").CountAsync()).ShouldBe(0);
        (await page.Locator($"a[href='/channels/{channel}']").CountAsync()).ShouldBe(0);
        (await page.ContentAsync()).ShouldNotContain(Secret);

        await page.GotoAsync(Url("maintenance"));
        (await page.Locator("table.maintenance").InnerTextAsync()).ShouldContain("nightly");
        (await page.Locator("table.maintenance button").CountAsync()).ShouldBe(0);
        (await page.Locator("a[href='/maintenance/new']").CountAsync()).ShouldBe(0);

        foreach (var path in new[] { $"channels/{channel}", "channels/new", "monitors/new", $"monitors/{monitor}/edit", "maintenance/new" })
        {
            await page.GotoAsync(Url(path));
            page.Url.ShouldContain("/denied", customMessage: path);
        }

        var response = await page.APIRequest.PostAsync(Url($"monitors/{monitor}/pause"), new() { MaxRedirects = 0 });
        response.Status.ShouldBe(302);
        response.Headers["location"].ShouldContain("/denied");
        (await _app.StatusOfAsync(monitor)).ShouldNotBe("paused");
    }

    private Task<IPage> SignedInViewerAsync() => chromium.SignedInPageAsync(_app, role: "viewer");

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
