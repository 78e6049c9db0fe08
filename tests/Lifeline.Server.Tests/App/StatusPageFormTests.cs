using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Status pages through the app: the page form with the API's checks, group rows without script, notes, deleting, and a viewer's read-only view.</summary>
public sealed class StatusPageFormTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// Waits for the page after a form's redirect to be parsed, not for its load event: Chromium
    /// under CI's load twice did not report that within 30 s for these pages (every later step
    /// waits for what it reads).
    /// </summary>
    private static readonly PageWaitForURLOptions Parsed = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    [Fact]
    public async Task A_page_created_through_the_form_is_public_at_its_slug_with_the_monitors_ticked()
    {
        await _app.CreateMonitorAsync(new { name = "web" });
        await _app.CreateMonitorAsync(new { name = "worker" });
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("status-pages"));

        await page.ClickAsync("a:text-is('New status page')");
        await page.FillAsync("#title", "Acme status");
        await page.FillAsync("#slug", "acme");
        await page.FillAsync("#description", "Everything we run");
        await page.FillAsync("#group-0-name", "Website");
        await page.Locator("#group-0").GetByLabel("web", new() { Exact = true }).CheckAsync();
        await page.ClickAsync("button:text-is('Create status page')");
        await page.WaitForURLAsync("**/status-pages/*?done=created", Parsed);
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Acme status");

        var saved = (await _app.GetArrayAsync("api/v1/status-pages")).Single()!;
        saved["slug"]!.GetValue<string>().ShouldBe("acme");
        saved["groups"]!.AsArray().Single()!["name"]!.GetValue<string>().ShouldBe("Website");
        saved["groups"]![0]!["monitors"]!.AsArray().Count.ShouldBe(1);

        await page.GotoAsync(Url("status/acme"));
        var html = await page.ContentAsync();
        html.ShouldContain("Acme status");
        html.ShouldContain("Everything we run");
        html.ShouldContain("Website");
        html.ShouldContain(">web<");
        html.ShouldNotContain("worker");
    }

    [Fact]
    public async Task A_bad_slug_gets_the_APIs_own_message_next_to_the_slug_and_the_typed_fields_stay()
    {
        using var api = await _app.Admin.PostAsJsonAsync("api/v1/status-pages", new { slug = "Bad Slug!", title = "Acme status" });
        var apiMessage = JsonNode.Parse(await api.Content.ReadAsStringAsync())!["errors"]![0]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("status-pages/new"));

        await page.FillAsync("#title", "Acme status");
        await page.FillAsync("#slug", "Bad Slug!");
        await page.FillAsync("#group-0-name", "Website");
        await page.ClickAsync("button:text-is('Create status page')");

        (await page.Locator("#slug-error").InnerTextAsync()).Trim().ShouldBe(apiMessage);
        (await page.GetAttributeAsync("#slug", "aria-describedby"))!.ShouldContain("slug-error");
        (await page.InputValueAsync("#title")).ShouldBe("Acme status");
        (await page.InputValueAsync("#slug")).ShouldBe("Bad Slug!");
        (await page.InputValueAsync("#group-0-name")).ShouldBe("Website");
        (await _app.GetArrayAsync("api/v1/status-pages")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Groups_are_added_and_removed_by_plain_buttons_keeping_what_was_typed_then_saved_and_the_page_deleted()
    {
        var web = (await _app.CreateMonitorAsync(new { name = "web" }))["id"]!.GetValue<string>();
        var worker = (await _app.CreateMonitorAsync(new { name = "worker" }))["id"]!.GetValue<string>();
        await CreatePageAsync("acme", new { name = "Web", monitors = new[] { web } });
        // Without script, as a browser with it turned off: the row buttons are plain submits.
        var context = await chromium.Browser.NewContextAsync(new() { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await Chromium.SignInAsync(page, _app, LifelineApp.AdminUser, LifelineApp.AdminPassword);
        await page.Locator("h1", new() { HasText = "Monitors" }).WaitForAsync();
        await page.GotoAsync(Url("status-pages"));

        await page.Locator("table.status-pages tr", new() { HasText = "Acme" }).Locator("a[href$='/edit']").ClickAsync();
        (await page.InputValueAsync("#group-0-name")).ShouldBe("Web");
        (await page.InputValueAsync("#group-1-name")).ShouldBe("");
        await page.FillAsync("#title", "Acme, renamed");
        await page.FillAsync("#group-1-name", "Jobs");
        await page.Locator("#group-1").GetByLabel("worker", new() { Exact = true }).CheckAsync();

        await page.ClickAsync("button:text-is('Add another group')");
        (await page.Locator("fieldset.group-row").CountAsync()).ShouldBe(3);
        (await page.InputValueAsync("#title")).ShouldBe("Acme, renamed");
        (await page.InputValueAsync("#group-1-name")).ShouldBe("Jobs");
        (await page.Locator("#group-1").GetByLabel("worker", new() { Exact = true }).IsCheckedAsync()).ShouldBeTrue();

        // A group with monitors and no name is refused by the API's rule, next to that row's name.
        await page.Locator("#group-2").GetByLabel("web", new() { Exact = true }).CheckAsync();
        await page.ClickAsync("button:text-is('Save changes')");
        (await page.Locator("#group-2-name-error").InnerTextAsync()).ShouldContain("groups[2].name is required");

        await page.ClickAsync("button:text-is('Remove group 1')");
        (await page.Locator("fieldset.group-row").CountAsync()).ShouldBe(2);
        (await page.InputValueAsync("#group-0-name")).ShouldBe("Jobs");
        await page.FillAsync("#group-1-name", "Also web");
        await page.ClickAsync("button:text-is('Save changes')");
        await page.WaitForURLAsync("**/status-pages/*?done=saved", Parsed);

        var saved = (await _app.GetArrayAsync("api/v1/status-pages")).Single()!;
        saved["title"]!.GetValue<string>().ShouldBe("Acme, renamed");
        var groups = saved["groups"]!.AsArray();
        groups.Select(g => g!["name"]!.GetValue<string>()).ShouldBe(["Jobs", "Also web"]);
        groups[0]!["monitors"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe([worker]);
        groups[1]!["monitors"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe([web]);
        (await page.Locator(".page-group", new() { HasText = "Jobs" }).InnerTextAsync()).ShouldContain("worker");

        await page.ClickAsync("a:text-is('Edit')");
        await page.ClickAsync("summary:text-is('Delete…')");
        await page.ClickAsync("button:text-is('Delete for good')");
        await page.WaitForURLAsync("**/status-pages?done=deleted", Parsed);
        (await _app.GetArrayAsync("api/v1/status-pages")).ShouldBeEmpty();
        using var gone = await _app.Admin.GetAsync("status/acme");
        ((int)gone.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task A_note_posted_and_resolved_in_the_app_shows_on_the_public_page()
    {
        var id = await CreatePageAsync("acme");
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"status-pages/{id}"));

        await page.ClickAsync("a:text-is('Post a note')");
        await page.FillAsync("#body", "Logins take a minute");
        await page.SelectOptionAsync("#state", ["identified"]);
        await page.ClickAsync("button:text-is('Post note')");
        (await page.Locator("#title-error").InnerTextAsync()).ShouldContain("title is required");
        (await page.InputValueAsync("#body")).ShouldBe("Logins take a minute");
        (await page.InputValueAsync("#state")).ShouldBe("identified");

        await page.FillAsync("#title", "Slow logins");
        await page.ClickAsync("button:text-is('Post note')");
        await page.WaitForURLAsync("**?done=posted", Parsed);
        var note = page.Locator("li.note", new() { HasText = "Slow logins" });
        (await note.InnerTextAsync()).ShouldContain("identified");
        await page.GotoAsync(Url("status/acme"));
        var open = await page.ContentAsync();
        open.ShouldContain("Slow logins");
        open.ShouldContain("Logins take a minute");
        open.ShouldContain("identified");

        await page.GotoAsync(Url($"status-pages/{id}"));
        await note.Locator("button:text-is('Resolve')").ClickAsync();
        await page.WaitForURLAsync("**?done=resolved*", Parsed);
        await note.Filter(new() { HasText = "resolved" }).WaitForAsync();
        (await _app.GetArrayAsync($"api/v1/status-pages/{id}/incidents")).Single()!["state"]!.GetValue<string>().ShouldBe("resolved");
        await page.GotoAsync(Url("status/acme"));
        var resolved = await page.ContentAsync();
        resolved.ShouldContain("Slow logins");
        resolved.ShouldContain("resolved");
    }

    [Fact]
    public async Task A_viewer_reads_pages_and_notes_without_edit_controls_and_is_turned_away_from_the_forms_and_actions()
    {
        var id = await CreatePageAsync("acme");
        using (var posted = await _app.Admin.PostAsJsonAsync($"api/v1/status-pages/{id}/incidents", new { title = "Slow logins", state = "monitoring" }))
        {
            posted.IsSuccessStatusCode.ShouldBeTrue();
        }
        var page = await chromium.SignedInPageAsync(_app, role: "viewer");

        await page.GotoAsync(Url("status-pages"));
        (await page.Locator("table.status-pages").InnerTextAsync()).ShouldContain("Acme");
        (await page.Locator("a[href='/status-pages/new']").CountAsync()).ShouldBe(0);
        (await page.Locator("a[href$='/edit']").CountAsync()).ShouldBe(0);

        await page.ClickAsync("a:text-is('Acme')");
        (await page.Locator("li.note").InnerTextAsync()).ShouldContain("monitoring");
        (await page.Locator("main button, main form, main a[href$='/edit'], main a[href$='/notes/new']").CountAsync()).ShouldBe(0);

        foreach (var path in new[] { "status-pages/new", $"status-pages/{id}/edit", $"status-pages/{id}/notes/new" })
        {
            await page.GotoAsync(Url(path));
            page.Url.ShouldContain("/denied", customMessage: path);
        }
        var response = await page.APIRequest.PostAsync(Url($"status-pages/{id}/delete"), new() { MaxRedirects = 0 });
        response.Status.ShouldBe(302);
        response.Headers["location"].ShouldContain("/denied");
        (await _app.GetArrayAsync("api/v1/status-pages")).Count.ShouldBe(1);
    }

    private async Task<string> CreatePageAsync(string slug, params object[] groups)
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/status-pages", new { slug, title = "Acme", groups });
        var json = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(201, json);
        return JsonNode.Parse(json)!["id"]!.GetValue<string>();
    }

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
