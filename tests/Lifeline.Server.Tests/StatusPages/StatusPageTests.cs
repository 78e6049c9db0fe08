using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Lifeline.Server.Tests.StatusPages;

/// <summary>Status pages and badges through the whole server: the admin API, the public pages and their cache.</summary>
public class StatusPageTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;
    private JsonObject _web = null!;
    private JsonObject _api = null!;
    private JsonObject _hidden = null!;

    public async Task InitializeAsync()
    {
        _app = await StartAppAsync();
        _web = await _app.CreateMonitorAsync(new { name = "Website", period = 60 });
        _api = await _app.CreateMonitorAsync(new
        {
            name = "Public API", kind = "http", target = "http://apiuser:target-s3cret@127.0.0.1:9/health", interval = 3600,
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer header-s3cret" },
        });
        _hidden = await _app.CreateMonitorAsync(new { name = "Internal billing job", period = 60 });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => o["id"]!.GetValue<string>();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string text ? new StringContent(text, Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }
        using var response = await (client ?? _app.Admin).SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, json.Length == 0 ? null : JsonNode.Parse(json));
    }

    private async Task<JsonObject> CreatePageAsync(string slug = "acme", params JsonObject[] monitors)
    {
        var (status, page) = await SendAsync(HttpMethod.Post, "api/v1/status-pages", new
        {
            slug, title = "Acme <Status>", description = "Everything we run",
            groups = new[] { new { name = "Web", monitors = monitors.Length > 0 ? monitors.Select(Id).ToArray() : [Id(_web), Id(_api)] } },
        });
        status.ShouldBe(HttpStatusCode.Created, page?.ToJsonString());
        return page!.AsObject();
    }

    private async Task<(HttpStatusCode Status, string Text, HttpResponseMessage Response)> GetPublicAsync(string path)
    {
        var response = await _app.Anonymous.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task PushAsync(JsonObject monitor, string query = "")
    {
        using var response = await _app.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}{query}");
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_page_is_created_listed_read_changed_and_deleted_through_the_api()
    {
        var page = await CreatePageAsync();
        var id = page["id"]!.GetValue<string>();

        var list = await _app.GetArrayAsync("api/v1/status-pages");
        var (patched, changed) = await SendAsync(HttpMethod.Patch, $"api/v1/status-pages/{id}", new { title = "Acme", groups = new[] { new { name = "Jobs", monitors = new[] { Id(_hidden) } } } });
        var read = await _app.GetJsonAsync($"api/v1/status-pages/{id}");
        var (deleted, _) = await SendAsync(HttpMethod.Delete, $"api/v1/status-pages/{id}");
        var (gone, error) = await SendAsync(HttpMethod.Get, $"api/v1/status-pages/{id}");

        page["slug"]!.GetValue<string>().ShouldBe("acme");
        page["url"]!.GetValue<string>().ShouldEndWith("/status/acme");
        page["groups"]![0]!["monitors"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe([Id(_web), Id(_api)]);
        list.Single()!["id"]!.GetValue<string>().ShouldBe(id);
        patched.ShouldBe(HttpStatusCode.OK, changed?.ToJsonString());
        read["title"]!.GetValue<string>().ShouldBe("Acme");
        read["description"]!.GetValue<string>().ShouldBe("Everything we run");
        read["groups"]![0]!["name"]!.GetValue<string>().ShouldBe("Jobs");
        deleted.ShouldBe(HttpStatusCode.NoContent);
        gone.ShouldBe(HttpStatusCode.NotFound);
        error!["error"]!.GetValue<string>().ShouldContain(id);
    }

    [Theory]
    [InlineData("""{"slug":"Acme Page","title":"t"}""", "slug")]
    [InlineData("""{"slug":"-acme","title":"t"}""", "slug")]
    [InlineData("""{"slug":"acme"}""", "title")]
    [InlineData("""{"slug":"acme","title":"t","groups":{}}""", "groups")]
    [InlineData("""{"slug":"acme","title":"t","groups":[{"monitors":[]}]}""", "groups[0].name")]
    [InlineData("""{"slug":"acme","title":"t","groups":[{"name":"a","monitors":["no-such-monitor"]}]}""", "groups[0].monitors: unknown monitor id 'no-such-monitor'")]
    [InlineData("""{"slug":"acme","title":"t","color":"red"}""", "color")]
    public async Task Bad_page_input_is_a_400_naming_the_field(string json, string mentions)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/status-pages", json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!.GetValue<string>().ShouldContain(mentions);
    }

    [Fact]
    public async Task A_taken_slug_is_a_409_naming_slug_and_unknown_ids_are_404()
    {
        await CreatePageAsync("acme");
        var other = await CreatePageAsync("beta");

        var (created, createError) = await SendAsync(HttpMethod.Post, "api/v1/status-pages", new { slug = "acme", title = "again" });
        var (patched, patchError) = await SendAsync(HttpMethod.Patch, $"api/v1/status-pages/{other["id"]}", new { slug = "acme" });
        var (unknown, _) = await SendAsync(HttpMethod.Patch, "api/v1/status-pages/nope", new { title = "x" });
        var (unknownNote, _) = await SendAsync(HttpMethod.Post, "api/v1/status-pages/nope/incidents", new { title = "x" });

        created.ShouldBe(HttpStatusCode.Conflict);
        createError!["error"]!.GetValue<string>().ShouldStartWith("slug");
        patched.ShouldBe(HttpStatusCode.Conflict);
        patchError!["error"]!.GetValue<string>().ShouldStartWith("slug");
        unknown.ShouldBe(HttpStatusCode.NotFound);
        unknownNote.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_read_only_key_reads_pages_but_gets_403_on_every_write()
    {
        var page = await CreatePageAsync();
        using var create = await _app.Admin.PostAsJsonAsync("api/v1/keys", new { name = "viewer", readOnly = true });
        using var reader = new HttpClient { BaseAddress = _app.BaseUri };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonNode.Parse(await create.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
        var id = page["id"]!.GetValue<string>();

        var (read, _) = await SendAsync(HttpMethod.Get, $"api/v1/status-pages/{id}", client: reader);
        var (post, _) = await SendAsync(HttpMethod.Post, "api/v1/status-pages", new { slug = "x", title = "x" }, reader);
        var (patch, _) = await SendAsync(HttpMethod.Patch, $"api/v1/status-pages/{id}", new { title = "x" }, reader);
        var (note, _) = await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { title = "x" }, reader);
        var (delete, _) = await SendAsync(HttpMethod.Delete, $"api/v1/status-pages/{id}", client: reader);
        using var anonymous = await _app.Anonymous.GetAsync("api/v1/status-pages");

        read.ShouldBe(HttpStatusCode.OK);
        new[] { post, patch, note, delete }.ShouldAllBe(s => s == HttpStatusCode.Forbidden);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Notes_are_posted_changed_listed_and_deleted_and_a_bad_state_is_a_400_naming_state()
    {
        var page = await CreatePageAsync();
        var id = page["id"]!.GetValue<string>();

        var (posted, note) = await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { title = "Slow logins", body = "Looking into it", state = "investigating" });
        var noteId = note!["id"]!.GetValue<string>();
        _app.Clock.Advance(TimeSpan.FromMinutes(20));
        var (patched, changed) = await SendAsync(HttpMethod.Patch, $"api/v1/status-pages/{id}/incidents/{noteId}", new { state = "resolved", body = "Fixed" });
        var (badState, badStateError) = await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { title = "x", state = "fixed" });
        var (noTitle, noTitleError) = await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { body = "x" });
        var list = await _app.GetArrayAsync($"api/v1/status-pages/{id}/incidents");
        var (deleted, _) = await SendAsync(HttpMethod.Delete, $"api/v1/status-pages/{id}/incidents/{noteId}");
        var after = await _app.GetArrayAsync($"api/v1/status-pages/{id}/incidents");

        posted.ShouldBe(HttpStatusCode.Created);
        patched.ShouldBe(HttpStatusCode.OK);
        changed!["state"]!.GetValue<string>().ShouldBe("resolved");
        changed["body"]!.GetValue<string>().ShouldBe("Fixed");
        changed["title"]!.GetValue<string>().ShouldBe("Slow logins");
        DateTimeOffset.Parse(changed["updatedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(DateTimeOffset.Parse(changed["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddMinutes(20));
        badState.ShouldBe(HttpStatusCode.BadRequest);
        badStateError!["error"]!.GetValue<string>().ShouldContain("state");
        noTitle.ShouldBe(HttpStatusCode.BadRequest);
        noTitleError!["error"]!.GetValue<string>().ShouldContain("title");
        list.Single()!["state"]!.GetValue<string>().ShouldBe("resolved");
        deleted.ShouldBe(HttpStatusCode.NoContent);
        after.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_public_page_shows_the_chosen_monitors_states_in_text_and_nothing_secret_or_unchosen()
    {
        // A monitor that is up keeps the banner at a partial outage whenever the Public API's own
        // check (against a closed port) marks it down too: that check runs when it is due, not when the test says.
        var docs = await _app.CreateMonitorAsync(new { name = "Docs", period = 60 });
        await CreatePageAsync("acme", _web, _api, docs);
        await PushAsync(_web, "?status=down&msg=disk-full");
        await PushAsync(docs);
        await PushAsync(_hidden);

        var (status, html, response) = await GetPublicAsync("status/acme");
        var (jsonStatus, json, _) = await GetPublicAsync("status/acme/json");
        var (feedStatus, feed, _) = await GetPublicAsync("status/acme/feed");

        status.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.ShouldContain("Acme &lt;Status&gt;");
        html.ShouldNotContain("Acme <Status>");
        html.ShouldContain("Website");
        html.ShouldContain("Public API");
        html.ShouldContain(">Down<");
        html.ShouldContain("Partial outage");
        html.ShouldContain("<title>", Case.Sensitive);
        jsonStatus.ShouldBe(HttpStatusCode.OK);
        feedStatus.ShouldBe(HttpStatusCode.OK);
        foreach (var text in new[] { html, json, feed })
        {
            text.ShouldNotContain(_web["pushToken"]!.GetValue<string>());
            text.ShouldNotContain(_hidden["pushToken"]!.GetValue<string>());
            text.ShouldNotContain("Internal billing job");
            text.ShouldNotContain(Id(_hidden));
            text.ShouldNotContain("target-s3cret");
            text.ShouldNotContain("header-s3cret");
            text.ShouldNotContain("127.0.0.1:9");
            text.ShouldNotContain("disk-full");
        }
    }

    [Fact]
    public async Task The_json_has_the_banner_groups_states_and_90_daily_bars_and_an_unknown_slug_is_404()
    {
        // The HTTP monitor's target does not answer: a page of the push monitor alone is all operational.
        await CreatePageAsync("acme", _web);
        await PushAsync(_web);
        _app.Clock.Advance(TimeSpan.FromSeconds(30));

        var (_, text, _) = await GetPublicAsync("status/acme/json");
        var (htmlMissing, html, _) = await GetPublicAsync("status/nope");
        var (jsonMissing, _, _) = await GetPublicAsync("status/nope/json");
        var json = JsonNode.Parse(text)!;

        json["title"]!.GetValue<string>().ShouldBe("Acme <Status>");
        json["status"]!.GetValue<string>().ShouldBe("operational");
        var monitors = json["groups"]![0]!["monitors"]!.AsArray();
        monitors.Select(m => m!["name"]!.GetValue<string>()).ShouldBe(["Website"]);
        monitors[0]!["status"]!.GetValue<string>().ShouldBe("up");
        monitors[0]!["statusText"]!.GetValue<string>().ShouldBe("Operational");
        monitors[0]!["days"]!.AsArray().Count.ShouldBe(90);
        monitors[0]!["uptime"]!.GetValue<double>().ShouldBe(100);
        htmlMissing.ShouldBe(HttpStatusCode.NotFound);
        html.ShouldContain("Status page not found");
        jsonMissing.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_feed_is_well_formed_atom_with_one_entry_per_note()
    {
        var page = await CreatePageAsync();
        var id = page["id"]!.GetValue<string>();
        await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { title = "Slow <logins> & errors", body = "Looking", state = "identified" });
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{id}/incidents", new { title = "Database failover", state = "monitoring" });

        var (status, text, response) = await GetPublicAsync("status/acme/feed");
        var feed = XDocument.Parse(text);
        XNamespace atom = "http://www.w3.org/2005/Atom";

        status.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/atom+xml");
        feed.Root!.Name.ShouldBe(atom + "feed");
        feed.Root.Element(atom + "id").ShouldNotBeNull();
        feed.Root.Element(atom + "updated").ShouldNotBeNull();
        var entries = feed.Root.Elements(atom + "entry").ToList();
        entries.Count.ShouldBe(2);
        entries.Select(e => e.Element(atom + "title")!.Value).ShouldBe(["[monitoring] Database failover", "[identified] Slow <logins> & errors"]);
        entries.ShouldAllBe(e => e.Element(atom + "id") != null && e.Element(atom + "updated") != null);
    }

    [Fact]
    public async Task The_page_shows_a_flip_at_once_and_a_change_made_elsewhere_after_the_cache_age()
    {
        await CreatePageAsync();
        await PushAsync(_web);
        var (_, before, _) = await GetPublicAsync("status/acme/json");

        await PushAsync(_web, "?status=down");
        var (_, afterFlip, _) = await GetPublicAsync("status/acme/json");

        // A change this node does not see (as if made on another node): the cache keeps the old page until it is 10 s old.
        var monitors = _app.Service<IMonitorStore>();
        await monitors.ChangeAsync(Id(_web), m => Flip.Quiet(m, m with { Name = "Website (renamed elsewhere)" }), CancellationToken.None);
        var (_, cached, _) = await GetPublicAsync("status/acme/json");
        _app.Clock.Advance(TimeSpan.FromSeconds(10));
        var (_, refreshed, _) = await GetPublicAsync("status/acme/json");

        JsonNode.Parse(before)!["groups"]![0]!["monitors"]![0]!["status"]!.GetValue<string>().ShouldBe("up");
        var flipped = JsonNode.Parse(afterFlip)!;
        flipped["groups"]![0]!["monitors"]![0]!["status"]!.GetValue<string>().ShouldBe("down");
        flipped["status"]!.GetValue<string>().ShouldBe("partial_outage");
        cached.ShouldNotContain("renamed elsewhere");
        refreshed.ShouldContain("renamed elsewhere");
    }

    [Fact]
    public async Task A_note_posted_shows_at_once_and_an_unchanged_page_answers_304_to_its_etag()
    {
        var page = await CreatePageAsync();
        var (_, empty, first) = await GetPublicAsync("status/acme");
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "status/acme") { Headers = { IfNoneMatch = { etag } } };
        using var notModified = await _app.Anonymous.SendAsync(again);
        await SendAsync(HttpMethod.Post, $"api/v1/status-pages/{page["id"]}/incidents", new { title = "Checkout errors", state = "investigating" });
        var (_, withNote, second) = await GetPublicAsync("status/acme");

        first.Headers.CacheControl!.ToString().ShouldContain("no-cache");
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        empty.ShouldNotContain("Checkout errors");
        withNote.ShouldContain("Checkout errors");
        withNote.ShouldContain("investigating");
        second.Headers.ETag!.Tag.ShouldNotBe(etag.Tag);
    }

    [Fact]
    public async Task A_client_taking_gzip_gets_the_same_page_gzipped()
    {
        await CreatePageAsync();
        var (_, plain, _) = await GetPublicAsync("status/acme");
        using var request = new HttpRequestMessage(HttpMethod.Get, "status/acme") { Headers = { AcceptEncoding = { new StringWithQualityHeaderValue("gzip") } } };
        using var response = await _app.Anonymous.SendAsync(request);
        await using var gzip = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);

        response.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
        (await reader.ReadToEndAsync()).ShouldBe(plain);
    }

    [Fact]
    public async Task A_monitor_in_a_maintenance_window_shows_as_under_maintenance()
    {
        await CreatePageAsync();
        await PushAsync(_web, "?status=down");
        var now = _app.Clock.GetUtcNow();
        var (created, window) = await SendAsync(HttpMethod.Post, "api/v1/maintenance", new
        {
            name = "secret-db-host upgrade", monitors = new[] { Id(_web) },
            start = now.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            end = now.AddHours(1).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });
        _app.Clock.Advance(TimeSpan.FromSeconds(10));

        var (_, html, _) = await GetPublicAsync("status/acme");

        created.ShouldBe(HttpStatusCode.Created, window?.ToJsonString());
        html.ShouldContain("Under maintenance");
        html.ShouldContain("Scheduled maintenance");
        html.ShouldNotContain("secret-db-host");
    }

    [Fact]
    public async Task Every_monitor_has_a_badge_url_and_its_badges_are_valid_svg_and_shields_json_without_secrets()
    {
        await PushAsync(_web);
        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        var badgeUrl = (await _app.GetJsonAsync($"api/v1/monitors/{Id(_web)}"))["badgeUrl"]!.GetValue<string>();
        var path = new Uri(badgeUrl).AbsolutePath.TrimStart('/');

        var (svgStatus, svg, svgResponse) = await GetPublicAsync(path + ".svg");
        var (_, uptime, _) = await GetPublicAsync(path + "/uptime.svg?days=30");
        var (_, shields, _) = await GetPublicAsync(path + ".json");
        var (badDays, badDaysBody, _) = await GetPublicAsync(path + "/uptime.svg?days=91");
        var (notNumber, _, _) = await GetPublicAsync(path + "/uptime.svg?days=x");
        var (unknown, _, _) = await GetPublicAsync("badge/not-a-real-badge-key.svg");

        badgeUrl.ShouldStartWith(_app.BaseUri.ToString().TrimEnd('/') + "/badge/");
        svgStatus.ShouldBe(HttpStatusCode.OK);
        svgResponse.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        var svgDoc = XDocument.Parse(svg);
        svgDoc.Root!.Name.LocalName.ShouldBe("svg");
        svgDoc.Root.Value.ShouldContain("Website");
        svgDoc.Root.Value.ShouldContain("up");
        XDocument.Parse(uptime).Root!.Value.ShouldContain("100.00%");
        var endpoint = JsonNode.Parse(shields)!.AsObject();
        endpoint.Select(p => p.Key).Order().ShouldBe(["color", "label", "message", "schemaVersion"]);
        endpoint["schemaVersion"]!.GetValue<int>().ShouldBe(1);
        endpoint["label"]!.GetValue<string>().ShouldBe("Website");
        endpoint["message"]!.GetValue<string>().ShouldBe("up");
        badDays.ShouldBe(HttpStatusCode.BadRequest);
        badDaysBody.ShouldContain("days");
        notNumber.ShouldBe(HttpStatusCode.BadRequest);
        unknown.ShouldBe(HttpStatusCode.NotFound);
        foreach (var text in new[] { svg, uptime, shields })
        {
            text.ShouldNotContain(_web["pushToken"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_badge_shows_a_flip_at_once()
    {
        var path = new Uri((await _app.GetJsonAsync($"api/v1/monitors/{Id(_web)}"))["badgeUrl"]!.GetValue<string>()).AbsolutePath.TrimStart('/');
        await PushAsync(_web);
        var (_, up, _) = await GetPublicAsync(path + ".json");

        await PushAsync(_web, "?status=down");
        var (_, down, _) = await GetPublicAsync(path + ".json");

        JsonNode.Parse(up)!["message"]!.GetValue<string>().ShouldBe("up");
        JsonNode.Parse(down)!["message"]!.GetValue<string>().ShouldBe("down");
        JsonNode.Parse(down)!["color"]!.GetValue<string>().ShouldBe("e05d44");
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresStatusPageTests : StatusPageTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
