using System.Globalization;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Maintenance windows through the app: the form with the API's checks, the list, ending and deleting.</summary>
public sealed class MaintenanceFormTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_one_off_window_ending_before_it_starts_is_refused_next_to_end_then_saved_and_listed()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "database" });
        var now = _app.Clock.GetUtcNow();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("maintenance/new"));

        await page.CheckAsync("#kind-once");
        await page.FillAsync("#name", "db upgrade");
        await page.FillAsync("#start", Local(now.AddHours(2)));
        await page.FillAsync("#end", Local(now.AddHours(1)));
        await page.SelectOptionAsync("#monitors", [monitor["id"]!.GetValue<string>()]);
        await page.ClickAsync("button:text-is('Create window')");

        (await page.Locator("#end-error").InnerTextAsync()).Trim().ShouldBe("end must be after start");
        (await page.InputValueAsync("#name")).ShouldBe("db upgrade");

        await page.FillAsync("#end", Local(now.AddHours(3)));
        await page.ClickAsync("button:text-is('Create window')");
        await page.WaitForURLAsync("**/maintenance");

        var row = page.Locator("table.maintenance tr", new() { HasText = "db upgrade" });
        var text = await row.InnerTextAsync();
        text.ShouldContain("one-off");
        text.ShouldContain("mute");
        text.ShouldContain("database");
        text.ShouldContain("scheduled");
        var saved = (await _app.GetArrayAsync("api/v1/maintenance")).Single()!;
        saved["kind"]!.GetValue<string>().ShouldBe("once");
    }

    [Fact]
    public async Task A_manual_window_is_in_force_at_once_and_ends_with_its_button_then_deletes()
    {
        await _app.CreateMonitorAsync(new { name = "web", tags = new[] { "site-a" } });
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("maintenance/new"));

        await page.CheckAsync("#kind-manual");
        await page.FillAsync("#name", "move racks");
        await page.FillAsync("#tags", "site-a");
        await page.SelectOptionAsync("#effect", ["pause"]);
        await page.ClickAsync("button:text-is('Create window')");
        await page.WaitForURLAsync("**/maintenance");
        var row = page.Locator("table.maintenance tr", new() { HasText = "move racks" });
        (await row.InnerTextAsync()).ShouldContain("in force");
        (await row.InnerTextAsync()).ShouldContain("#site-a");

        await row.Locator("button:text-is('End now')").ClickAsync();
        await page.WaitForURLAsync("**/maintenance?done=ended");
        (await page.Locator("table.maintenance tr", new() { HasText = "move racks" }).InnerTextAsync()).ShouldContain("over");

        await page.ClickAsync("a:text-is('move racks')");
        await page.ClickAsync("summary:text-is('Delete…')");
        await page.ClickAsync("button:text-is('Delete for good')");
        await page.WaitForURLAsync("**/maintenance?done=deleted");
        (await _app.GetArrayAsync("api/v1/maintenance")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_recurring_window_with_an_unknown_time_zone_gets_the_APIs_message()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("maintenance/new"));

        await page.CheckAsync("#kind-recurring");
        await page.FillAsync("#name", "weekly");
        await page.FillAsync("#schedule", "0 2 * * 0");
        await page.FillAsync("#duration", "3600");
        await page.FillAsync("#tz", "Mars/Olympus");
        await page.FillAsync("#tags", "db");
        await page.ClickAsync("button:text-is('Create window')");

        (await page.Locator("#tz-error").InnerTextAsync()).ShouldContain("unknown time zone");
        (await page.InputValueAsync("#schedule")).ShouldBe("0 2 * * 0");
    }

    private static string Local(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
