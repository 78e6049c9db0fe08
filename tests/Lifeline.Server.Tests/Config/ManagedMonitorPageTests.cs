using Lifeline.Server.Tests.App;

namespace Lifeline.Server.Tests.Config;

/// <summary>A monitor from the config file in the app, in a real headless Chromium: shown as managed, with nothing that edits it.</summary>
public sealed class ManagedMonitorPageTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", "config-app-" + Guid.NewGuid().ToString("N"));
    private string _path = null!;
    private LifelineApp _app = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, "monitors.yml");
        await File.WriteAllTextAsync(_path, "monitors:\n  - name: nightly-backup\n    period: 1d\n");
        _app = await LifelineApp.StartAsync($"--Lifeline:Config={_path}");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_managed_monitor_says_where_it_comes_from_and_offers_no_edit_or_delete_but_pause()
    {
        var id = (await _app.GetJsonAsync("api/v1/monitors"))["items"]![0]!["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);

        await page.GotoAsync(new Uri(_app.BaseUri, $"monitors/{id}").ToString());

        (await page.Locator(".managed-note").InnerTextAsync()).ShouldContain($"Managed by {_path}");
        (await page.Locator("a:text-is('Edit')").CountAsync()).ShouldBe(0);
        (await page.Locator("summary:text-is('Delete…')").CountAsync()).ShouldBe(0);
        (await page.Locator("button:text-is('Rotate token')").CountAsync()).ShouldBe(0);
        (await page.Locator(".monitor-actions button:text-is('Pause')").CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task The_edit_page_of_a_managed_monitor_refuses_and_shows_no_form()
    {
        var id = (await _app.GetJsonAsync("api/v1/monitors"))["items"]![0]!["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);

        var response = await page.GotoAsync(new Uri(_app.BaseUri, $"monitors/{id}/edit").ToString());

        response!.Status.ShouldBe(409);
        (await page.Locator("main").InnerTextAsync()).ShouldContain($"Managed by {_path}");
        (await page.Locator("form.monitor-form").CountAsync()).ShouldBe(0);
    }
}
