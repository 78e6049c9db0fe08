using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>The monitor buttons (pause, resume, acknowledge, rotate, delete), pressed in a real headless Chromium.</summary>
public sealed class MonitorActionsTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Pause_and_resume_buttons_change_the_monitor_and_come_back_to_the_page()
    {
        var id = (await _app.CreateMonitorAsync(new { name = "nightly" }))["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"monitors/{id}/edit"));

        await page.ClickAsync(".monitor-actions button:text-is('Pause')");
        await page.WaitForURLAsync($"**/monitors/{id}/edit?done=paused");
        (await _app.StatusOfAsync(id)).ShouldBe("paused");

        await page.ClickAsync(".monitor-actions button:text-is('Resume')");
        await page.WaitForURLAsync($"**/monitors/{id}/edit?done=resumed");
        (await _app.StatusOfAsync(id)).ShouldNotBe("paused");
    }

    [Fact]
    public async Task Acknowledge_shows_only_for_an_open_unacknowledged_incident_and_acknowledges_it()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "backup" });
        var id = monitor["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"monitors/{id}/edit"));
        (await page.Locator("button:text-is('Acknowledge')").CountAsync()).ShouldBe(0);

        await _app.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}?status=down&msg=disk+full");
        await page.GotoAsync(Url($"monitors/{id}/edit"));
        await page.ClickAsync("button:text-is('Acknowledge')");
        await page.WaitForURLAsync($"**/monitors/{id}/edit?done=acknowledged");

        var saved = await _app.GetJsonAsync($"api/v1/monitors/{id}");
        saved["acknowledgedBy"]!.GetValue<string>().ShouldNotBeEmpty();
        (await page.Locator("button:text-is('Acknowledge')").CountAsync()).ShouldBe(0);
        (await page.Locator(".monitor-actions").InnerTextAsync()).ShouldContain("Acknowledged by");
    }

    [Fact]
    public async Task Rotate_token_shows_the_new_push_url_and_the_old_token_stops_working()
    {
        var monitor = await _app.CreateMonitorAsync(new { name = "cron" });
        var id = monitor["id"]!.GetValue<string>();
        var oldToken = monitor["pushToken"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"monitors/{id}/edit"));
        page.Dialog += (_, dialog) => dialog.AcceptAsync();

        await page.ClickAsync("button:text-is('Rotate token')");
        await page.WaitForURLAsync($"**/monitors/{id}/edit?done=rotated");

        var newToken = (await _app.GetJsonAsync($"api/v1/monitors/{id}"))["pushToken"]!.GetValue<string>();
        newToken.ShouldNotBe(oldToken);
        (await page.Locator("#new-push-url").InnerTextAsync()).ShouldEndWith($"/api/push/{newToken}");
        ((int)(await _app.Anonymous.GetAsync($"api/push/{oldToken}")).StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task Delete_asks_first_then_deletes_the_monitor()
    {
        var id = (await _app.CreateMonitorAsync(new { name = "old-job" }))["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"monitors/{id}/edit"));

        (await page.Locator("button:text-is('Delete for good')").IsVisibleAsync()).ShouldBeFalse();
        await page.ClickAsync("summary:text-is('Delete…')");
        await page.ClickAsync("button:text-is('Delete for good')");
        await page.WaitForURLAsync("**/?deleted=1");

        ((int)(await _app.Admin.GetAsync($"api/v1/monitors/{id}")).StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task An_action_posted_without_the_forms_antiforgery_token_is_refused()
    {
        var id = (await _app.CreateMonitorAsync(new { name = "guarded" }))["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);

        var response = await page.APIRequest.PostAsync(Url($"monitors/{id}/pause"), new() { Form = page.APIRequest.CreateFormData() });

        response.Status.ShouldBe(400);
        (await _app.StatusOfAsync(id)).ShouldNotBe("paused");
    }

    [Theory]
    [InlineData("monitors/any/delete")]
    [InlineData("channels/any/test")]
    [InlineData("maintenance/any/end")]
    [InlineData("status-pages/any/notes/any/delete")]
    public async Task Every_app_button_post_without_the_forms_antiforgery_token_is_refused_before_anything_is_looked_up(string path)
    {
        var page = await chromium.SignedInPageAsync(_app);

        var response = await page.APIRequest.PostAsync(Url(path), new() { Form = page.APIRequest.CreateFormData() });

        response.Status.ShouldBe(400);
        (await response.TextAsync()).ShouldContain("the form has expired");
    }

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
