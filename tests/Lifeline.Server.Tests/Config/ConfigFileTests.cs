using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Server.Config;
using Lifeline.Testing;

namespace Lifeline.Server.Tests.Config;

/// <summary>
/// <c>serve --config</c>: a real server applying a real YAML file in a temp folder, at start and
/// on every change of the file, through the same writes as the admin API.
/// </summary>
public sealed class ConfigFileTests : IAsyncLifetime
{
    private const string Start = """
        # Lifeline's own format: the admin API's fields.
        channels:
          - name: ops
            kind: webhook
            url: http://127.0.0.1:9/hook
        monitors:
          - name: nightly-backup
            kind: push
            period: 86400
            grace: 3600
            tags: [backups]
            channels: [ops]
          - name: api
            kind: http
            target: http://127.0.0.1:9/health
            interval: 30s
            conditions:
              - "[STATUS] == 200"
            channels: [ops]
            dependsOn: [nightly-backup]
        statusPages:
          - slug: public
            title: Example status
            groups:
              - name: Services
                monitors: [api, nightly-backup]
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", "config-" + Guid.NewGuid().ToString("N"));
    private string _path = null!;
    private LifelineApp _app = null!;
    private string? _handMade;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, "lifeline.yml");
        await WriteAsync(Start);
        _app = await LifelineApp.StartAsync($"--Lifeline:Config={_path}");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_file_is_applied_at_start_with_monitors_marked_managed_and_refering_to_each_other_by_name()
    {
        var monitors = await ManagedAsync();
        var channels = (await GetAsync("api/v1/channels")).AsArray();
        var page = (await GetAsync("api/v1/status-pages")).AsArray().Single()!;

        monitors.Keys.Order().ShouldBe(["api", "nightly-backup"]);
        var backup = monitors["nightly-backup"];
        var api = monitors["api"];
        var ops = channels.Single(c => c!["name"]!.GetValue<string>() == "ops")!["id"]!.GetValue<string>();
        backup["managed"]!.GetValue<bool>().ShouldBeTrue();
        backup["period"]!.GetValue<double>().ShouldBe(86400);
        backup["grace"]!.GetValue<double>().ShouldBe(3600);
        backup["channels"]!.AsArray().Single()!.GetValue<string>().ShouldBe(ops);
        api["kind"]!.GetValue<string>().ShouldBe("http");
        api["interval"]!.GetValue<double>().ShouldBe(30);
        api["dependsOn"]!.AsArray().Single()!.GetValue<string>().ShouldBe(Id(backup));
        page["slug"]!.GetValue<string>().ShouldBe("public");
        page["groups"]![0]!["monitors"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe([Id(api), Id(backup)]);
    }

    [Fact]
    public async Task An_edit_of_the_file_is_applied_keeping_the_ids_and_leaving_hand_made_things_alone()
    {
        var before = await ManagedAsync();
        _handMade = Id(await _app.CreateMonitorAsync(new { name = "by hand", kind = "push" }));

        await WriteAsync(Start.Replace("period: 86400", "period: 3600", StringComparison.Ordinal)
            .Replace("    grace: 3600\n", "", StringComparison.Ordinal)
            .Replace("statusPages:", "  - name: db\n    kind: tcp\n    target: 127.0.0.1:9\nstatusPages:", StringComparison.Ordinal));
        var after = await UntilAsync(ManagedAsync, m => m.Count == 3);

        Id(after["nightly-backup"]).ShouldBe(Id(before["nightly-backup"]));
        Id(after["api"]).ShouldBe(Id(before["api"]));
        after["nightly-backup"]["period"]!.GetValue<double>().ShouldBe(3600, string.Join("\n", _app.Errors.Entries));
        after["nightly-backup"]["grace"]!.GetValue<double>().ShouldBe(0, "a field left out of the file goes back to its default");
        after["db"]["kind"]!.GetValue<string>().ShouldBe("tcp");
        (await _app.GetJsonAsync($"api/v1/monitors/{_handMade}"))["managed"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Applying_the_same_file_again_changes_nothing()
    {
        var before = await ManagedAsync();
        var channels = (await GetAsync("api/v1/channels")).ToJsonString();
        var pages = (await GetAsync("api/v1/status-pages")).ToJsonString();
        var (document, problems) = ConfigReader.Read(_path, await File.ReadAllTextAsync(_path));
        problems.ShouldBeEmpty();

        var outcome = await _app.Service<ConfigApplier>().ApplyAsync(_path, document!, CancellationToken.None);

        outcome.Problems.ShouldBeEmpty();
        (outcome.Created, outcome.Changed, outcome.Deleted).ShouldBe((0, 0, 0));
        var after = await ManagedAsync();
        after.Keys.Order().ShouldBe(before.Keys.Order());
        after.Values.Select(Id).Order().ShouldBe(before.Values.Select(Id).Order());
        (await GetAsync("api/v1/channels")).ToJsonString().ShouldBe(channels);
        (await GetAsync("api/v1/status-pages")).ToJsonString().ShouldBe(pages);
    }

    [Fact]
    public async Task An_invalid_edit_keeps_the_last_good_state_and_logs_every_problem_with_its_place()
    {
        var before = await ManagedAsync();

        // Line 9 has a period that is not a duration; line 14 a kind that does not exist.
        await WriteAsync(Start.Replace("period: 86400", "period: soon", StringComparison.Ordinal)
            .Replace("kind: http", "kind: carrier-pigeon", StringComparison.Ordinal)
            .Replace("name: api", "name: api-renamed", StringComparison.Ordinal));
        var errors = await UntilAsync(() => Task.FromResult(_app.Errors.Entries), e => e.Any(x => x.Contains("problem(s)", StringComparison.Ordinal)));

        errors.ShouldContain(e => e.Contains($"{_path}:9:5: monitor 'nightly-backup': period must be", StringComparison.Ordinal), string.Join("\n", errors));
        errors.ShouldContain(e => e.Contains($"{_path}:14:5: monitor 'api-renamed': kind must be one of", StringComparison.Ordinal), string.Join("\n", errors));
        var after = await ManagedAsync();
        after.Keys.Order().ShouldBe(["api", "nightly-backup"]);
        after["nightly-backup"]["period"]!.GetValue<double>().ShouldBe(86400);
        Id(after["api"]).ShouldBe(Id(before["api"]));
    }

    [Fact]
    public async Task A_managed_monitor_is_read_only_through_the_api_but_can_be_paused()
    {
        var id = Id((await ManagedAsync())["nightly-backup"]);

        using var patch = await _app.Admin.PatchAsJsonAsync($"api/v1/monitors/{id}", new { period = 5 });
        using var delete = await _app.Admin.DeleteAsync($"api/v1/monitors/{id}");
        using var rotate = await _app.Admin.PostAsync($"api/v1/monitors/{id}/rotate-token", null);
        using var pause = await _app.Admin.PostAsync($"api/v1/monitors/{id}/pause", null);

        patch.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var error = (await patch.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>();
        error.ShouldContain("nightly-backup");
        error.ShouldContain(_path);
        delete.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        rotate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        pause.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.StatusOfAsync(id)).ShouldBe("paused");
        (await _app.GetJsonAsync($"api/v1/monitors/{id}"))["period"]!.GetValue<double>().ShouldBe(86400);
    }

    [Fact]
    public async Task What_leaves_the_file_is_deleted()
    {
        var before = await ManagedAsync();
        _handMade = Id(await _app.CreateMonitorAsync(new { name = "by hand", kind = "push" }));

        await WriteAsync("""
            monitors:
              - name: nightly-backup
                kind: push
                period: 86400
                grace: 3600
                tags: [backups]
            """);
        var after = await UntilAsync(ManagedAsync, m => m.Count == 1);
        await UntilAsync(async () => (await GetAsync("api/v1/status-pages")).AsArray().Count, n => n == 0);

        using var gone = await _app.Admin.GetAsync($"api/v1/monitors/{Id(before["api"])}");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Id(after["nightly-backup"]).ShouldBe(Id(before["nightly-backup"]));
        (await GetAsync("api/v1/channels")).AsArray().ShouldBeEmpty();
        (await _app.GetJsonAsync($"api/v1/monitors/{_handMade}"))["name"]!.GetValue<string>().ShouldBe("by hand");
    }

    [Fact]
    public async Task A_gatus_endpoints_list_makes_http_tcp_and_dns_monitors()
    {
        // As in Gatus' README, pointed at this machine: the checks must not leave it.
        await WriteAsync("""
            endpoints:
              - name: website
                group: core
                url: "http://127.0.0.1:9/health"
                interval: 5m
                method: POST
                headers:
                  Content-Type: application/json
                body: |
                  {"query": "ping"}
                conditions:
                  - "[STATUS] == 200"
                  - "[BODY].status == UP"
                  - "[RESPONSE_TIME] < 300"
              - name: database
                group: core
                url: "tcp://127.0.0.1:9"
                interval: 30s
                conditions:
                  - "[CONNECTED] == true"
              - name: example-dns-query
                url: "127.0.0.1"
                interval: 5m
                dns:
                  query-name: "example.com"
                  query-type: "A"
                conditions:
                  - "[BODY] == 93.184.216.34"
                  - "[DNS_RCODE] == NOERROR"
            """);
        var monitors = await UntilAsync(ManagedAsync, m => m.Count == 3);

        var website = monitors["core/website"];
        website["name"]!.GetValue<string>().ShouldBe("website");
        website["kind"]!.GetValue<string>().ShouldBe("http");
        website["interval"]!.GetValue<double>().ShouldBe(300);
        website["method"]!.GetValue<string>().ShouldBe("POST");
        website["headers"]!["Content-Type"]!.GetValue<string>().ShouldBe("application/json");
        website["conditions"]!.AsArray().Count.ShouldBe(3);
        website["tags"]!.AsArray().Single()!.GetValue<string>().ShouldBe("core");
        monitors["core/database"]["kind"]!.GetValue<string>().ShouldBe("tcp");
        monitors["core/database"]["target"]!.GetValue<string>().ShouldBe("127.0.0.1:9");
        monitors["example-dns-query"]["kind"]!.GetValue<string>().ShouldBe("dns");
        monitors["example-dns-query"]["method"]!.GetValue<string>().ShouldBe("A");
        (await ManagedAsync()).ContainsKey("api").ShouldBeFalse();
    }

    /// <summary>Managed monitors by their key in the file (group/name for Gatus endpoints, else the name).</summary>
    private async Task<Dictionary<string, JsonObject>> ManagedAsync()
    {
        var items = (await _app.GetJsonAsync("api/v1/monitors?limit=1000"))["items"]!.AsArray().Select(m => m!.AsObject()).Where(m => m["managed"]!.GetValue<bool>());
        return items.ToDictionary(m => m["tags"]!.AsArray() is [{ } tag] && tag.GetValue<string>() == "core" ? $"core/{m["name"]}" : m["name"]!.GetValue<string>());
    }

    /// <summary>Polls while the clock moves on, so the watcher's quiet time (on the server's clock) can pass.</summary>
    private Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done) =>
        Eventually.GetAsync(async () =>
        {
            _app.Clock.Advance(TimeSpan.FromMilliseconds(250));
            return await read();
        }, done);

    /// <summary>Replaces the file at once, as editors that save through a temporary file do.</summary>
    private async Task WriteAsync(string yaml)
    {
        var temporary = _path + ".tmp";
        await File.WriteAllTextAsync(temporary, yaml.ReplaceLineEndings("\n"));
        File.Move(temporary, _path, overwrite: true);
    }

    private async Task<JsonNode> GetAsync(string path) => JsonNode.Parse(await _app.Admin.GetStringAsync(path))!;

    private static string Id(JsonObject monitor) => monitor["id"]!.GetValue<string>();
}
