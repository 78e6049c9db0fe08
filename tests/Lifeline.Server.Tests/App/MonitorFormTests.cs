using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Creating and editing monitors through the app's form, in a real headless Chromium.</summary>
public sealed class MonitorFormTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_bad_target_shows_the_APIs_message_next_to_the_field_keeps_what_was_typed_and_a_good_one_saves()
    {
        var apiError = await ApiErrorsAsync(new { kind = "http", name = "shop", target = "ftp://shop.example" });
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("monitors/new"));

        await page.CheckAsync("#kind-http");
        await page.FillAsync("#name", "shop");
        await page.FillAsync("#tags", "web, shop");
        await page.FillAsync("#target", "ftp://shop.example");
        await page.FillAsync("#conditions", "[STATUS] == 200\n[RESPONSE_TIME] < 800");
        await page.ClickAsync("form.monitor-form button[type=submit]");

        var shown = (await page.Locator("#target-error").InnerTextAsync()).Trim();
        apiError.ShouldContain(shown);
        shown.ShouldStartWith("target");
        (await page.GetAttributeAsync("#target", "aria-describedby"))!.ShouldContain("target-error");
        (await page.InputValueAsync("#name")).ShouldBe("shop");
        (await page.InputValueAsync("#tags")).ShouldBe("web, shop");
        (await page.InputValueAsync("#conditions")).ShouldBe("[STATUS] == 200\n[RESPONSE_TIME] < 800");
        (await page.IsCheckedAsync("#kind-http")).ShouldBeTrue();

        await page.FillAsync("#target", "http://127.0.0.1:9/health");
        var path = await SaveAsync(page);

        var id = path["/monitors/".Length..];
        id.ShouldNotContain("/");
        var saved = await _app.GetJsonAsync($"api/v1/monitors/{id}");
        saved["kind"]!.GetValue<string>().ShouldBe("http");
        saved["target"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/health");
        saved["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["web", "shop"]);
        saved["conditions"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["[STATUS] == 200", "[RESPONSE_TIME] < 800"]);
    }

    [Fact]
    public async Task Locations_and_a_quorum_are_chosen_in_the_form_and_a_quorum_too_large_is_refused_next_to_its_field()
    {
        var paris = (await (await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name = "paris" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var tokyo = (await (await _app.Admin.PostAsJsonAsync("api/v1/locations", new { name = "tokyo" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("monitors/new?kind=http"));

        await page.FillAsync("#name", "shop");
        await page.FillAsync("#target", "http://127.0.0.1:9/");
        await page.CheckAsync($"input[name=locations][value='{paris}']");
        await page.CheckAsync($"input[name=locations][value='{tokyo}']");
        await page.FillAsync("#quorum", "4");
        await page.ClickAsync("form.monitor-form button[type=submit]");

        (await page.Locator("#quorum-error").InnerTextAsync()).ShouldContain("more than the monitor's 3 location(s)");
        (await page.IsCheckedAsync($"input[name=locations][value='{tokyo}']")).ShouldBeTrue();

        await page.FillAsync("#quorum", "2");
        var path = await SaveAsync(page);

        var saved = await _app.GetJsonAsync($"api/v1/monitors/{path["/monitors/".Length..]}");
        saved["locations"]!.AsArray().Select(l => l!.GetValue<string>()).ShouldBe(["local", paris, tokyo]);
        saved["quorum"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task A_number_field_holding_words_gets_the_APIs_own_message()
    {
        var apiError = await ApiErrorsAsync(new { kind = "push", name = "backup", period = "soon" });
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("monitors/new?kind=push"));

        await page.FillAsync("#name", "backup");
        await page.FillAsync("#period", "soon");
        await page.ClickAsync("form.monitor-form button[type=submit]");

        var shown = (await page.Locator("#period-error").InnerTextAsync()).Trim();
        shown.ShouldBe("period must be a number of seconds or a duration such as \"30s\", \"5m\" or \"1h\", not \"soon\"");
        apiError.ShouldContain(shown);
    }

    [Fact]
    public async Task Editing_a_push_monitor_changes_its_schedule_channels_and_parents_and_a_cycle_is_refused_next_to_depends_on()
    {
        var channel = await _app.CreateWebhookAsync("http://127.0.0.1:9/hook");
        var parent = await _app.CreateMonitorAsync(new { name = "uplink" });
        var child = await _app.CreateMonitorAsync(new { name = "agent", dependsOn = new[] { parent["id"]!.GetValue<string>() } });
        var parentId = parent["id"]!.GetValue<string>();
        var childId = child["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);

        await page.GotoAsync(Url($"monitors/{parentId}/edit"));
        (await page.Locator("#kind-http").CountAsync()).ShouldBe(0);
        await page.SelectOptionAsync("#dependsOn", [childId]);
        await page.ClickAsync("form.monitor-form button[type=submit]");
        (await page.Locator("#dependsOn-error").InnerTextAsync()).ShouldContain("cycle");

        await page.SelectOptionAsync("#dependsOn", Array.Empty<string>());
        await page.FillAsync("#schedule", "0 3 * * *");
        await page.FillAsync("#tz", "Europe/Paris");
        await page.CheckAsync($"input[name=channels][value='{channel}']");
        (await SaveAsync(page)).ShouldBe($"/monitors/{parentId}");

        var saved = await _app.GetJsonAsync($"api/v1/monitors/{parentId}");
        saved["schedule"]!.GetValue<string>().ShouldBe("0 3 * * *");
        saved["tz"]!.GetValue<string>().ShouldBe("Europe/Paris");
        saved["channels"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe([channel]);
        saved["dependsOn"]!.AsArray().ShouldBeEmpty();
    }

    /// <summary>
    /// Submits the monitor form and answers the path it went on to. The monitor page itself is
    /// another part of the app, so only where the browser was sent is checked here.
    /// </summary>
    private static async Task<string> SaveAsync(IPage page)
    {
        var next = page.WaitForRequestAsync(r => r.IsNavigationRequest && r.Method == "GET" && new Uri(r.Url).AbsolutePath.StartsWith("/monitors/", StringComparison.Ordinal));
        await page.ClickAsync("form.monitor-form button[type=submit]");
        return new Uri((await next).Url).AbsolutePath;
    }

    private async Task<List<string>> ApiErrorsAsync(object body)
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/monitors", body);
        ((int)response.StatusCode).ShouldBe(400);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. json["errors"]!.AsArray().Select(e => e!.GetValue<string>())];
    }

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
