using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.Playwright;

namespace Lifeline.Server.Tests.App;

/// <summary>Channels through the app: the form, "Send test", the delivery log, and secrets kept out of the page.</summary>
public sealed class ChannelFormTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Secret = "whsec-very-secret-value-4711";

    private LifelineApp _app = null!;
    private RecordingServer _receiver = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync();
        _receiver = await RecordingServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_channel_made_in_the_form_receives_the_test_notice_and_the_page_shows_it_delivered()
    {
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url("channels/new"));
        await page.CheckAsync("input[name=kind][value=webhook]");
        await page.ClickAsync("button:text-is('Next')");

        await page.FillAsync("#name", "ops hook");
        await page.FillAsync("#url", "not a url");
        await page.FillAsync("#secret", Secret);
        await page.ClickAsync("button:text-is('Create channel')");
        var apiError = await ApiErrorsAsync(new { kind = "webhook", url = "not a url" });
        (await page.Locator("#url-error").InnerTextAsync()).Trim().ShouldBe(apiError.Single());
        (await page.InputValueAsync("#name")).ShouldBe("ops hook");

        await page.FillAsync("#url", _receiver.Url("hook"));
        await page.FillAsync("#secret", Secret);
        await page.ClickAsync("button:text-is('Create channel')");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/channels/[^/?]+\\?saved=1$"));

        await page.ClickAsync("button:text-is('Send test')");
        var received = (await _receiver.WaitForAsync(1)).Single();
        received.Path.ShouldBe("/hook");
        JsonNode.Parse(received.Body)!["type"]!.GetValue<string>().ShouldBe("test");
        received.Headers.Keys.ShouldContain(k => string.Equals(k, "webhook-signature", StringComparison.OrdinalIgnoreCase));

        await _app.SendsSettledAsync();
        await page.ReloadAsync();
        (await page.Locator("#test-result").InnerTextAsync()).ShouldContain("delivered");
        (await page.Locator("table.deliveries").InnerTextAsync()).ShouldContain("sent");
        (await page.Locator("table.deliveries").InnerTextAsync()).ShouldContain("test");

        await page.GotoAsync(Url("channels"));
        var row = page.Locator("table.channels tr", new() { HasText = "ops hook" });
        (await row.InnerTextAsync()).ShouldContain("webhook");
        (await row.InnerTextAsync()).ShouldContain("sent");
    }

    [Fact]
    public async Task The_edit_page_never_shows_a_stored_secret_and_a_blank_secret_field_keeps_it()
    {
        var id = await _app.CreateWebhookAsync(_receiver.Url("hook"), Secret);
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"channels/{id}"));

        (await page.ContentAsync()).ShouldNotContain(Secret);
        (await page.ContentAsync()).ShouldNotContain(Secret[..12]);
        (await page.InputValueAsync("#secret")).ShouldBeEmpty();

        await page.FillAsync("#name", "renamed hook");
        await page.ClickAsync("button:text-is('Save changes')");
        await page.WaitForURLAsync($"**/channels/{id}?saved=1");

        var stored = await _app.Service<IChannelStore>().FindAsync(id, CancellationToken.None);
        stored!.Name.ShouldBe("renamed hook");
        stored.Settings["secret"]!.GetValue<string>().ShouldBe(Secret);
        (await page.ContentAsync()).ShouldNotContain(Secret);
    }

    [Fact]
    public async Task A_slack_channel_shows_its_url_as_the_host_only()
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "slack", name = "chat", url = "https://hooks.slack.com/services/T000/B000/XXXXsecretpath" });
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var page = await chromium.SignedInPageAsync(_app);
        await page.GotoAsync(Url($"channels/{id}"));

        var html = await page.ContentAsync();
        html.ShouldNotContain("XXXXsecretpath");
        html.ShouldContain("https://hooks.slack.com/");
    }

    private async Task<List<string>> ApiErrorsAsync(object body)
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/channels", body);
        ((int)response.StatusCode).ShouldBe(400);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. json["errors"]!.AsArray().Select(e => e!.GetValue<string>())];
    }

    private string Url(string path) => new Uri(_app.BaseUri, path).ToString();
}
