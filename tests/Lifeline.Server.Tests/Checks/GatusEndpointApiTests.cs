using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests.Checks;

/// <summary>Gatus endpoints posted to the monitors API as Gatus writes them: understood, or refused naming the field.</summary>
public sealed class GatusEndpointApiTests : IAsyncLifetime
{
    private LifelineApp _app = null!;
    private RecordingServer _target = null!;

    public async Task InitializeAsync()
    {
        _target = await RecordingServer.StartAsync();
        _target.Responder = _ => new Reply(200, """{"status":"UP","items":[1,2,3]}""");
        _app = await LifelineApp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _target.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(object body)
    {
        using var response = await _app.Admin.PostAsJsonAsync("api/v1/monitors", body);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    [Fact]
    public async Task A_gatus_http_endpoint_becomes_an_http_monitor_with_its_url_conditions_and_interval()
    {
        var (status, monitor) = await PostAsync(new
        {
            name = "website",
            url = _target.Url("/health"),
            interval = "5m",
            conditions = new[] { "[STATUS] == 200", "[BODY].status == UP", "len([BODY].items) == 3", "[RESPONSE_TIME] < 5000" },
        });

        status.ShouldBe(HttpStatusCode.Created, monitor.ToJsonString());
        monitor["kind"]!.GetValue<string>().ShouldBe("http");
        monitor["target"]!.GetValue<string>().ShouldBe(_target.Url("/health"));
        monitor["interval"]!.GetValue<double>().ShouldBe(300);
        monitor["conditions"]!.AsArray().Count.ShouldBe(4);
        monitor["pushToken"].ShouldBeNull();

        var sweep = _app.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();
        (await _app.StatusOfAsync(monitor["id"]!.GetValue<string>())).ShouldBe("up");
    }

    [Fact]
    public async Task A_gatus_tcp_endpoint_becomes_a_tcp_monitor_on_host_and_port()
    {
        var (status, monitor) = await PostAsync(new { name = "db", url = "tcp://127.0.0.1:5432", interval = "30s", conditions = new[] { "[CONNECTED] == true" } });

        status.ShouldBe(HttpStatusCode.Created, monitor.ToJsonString());
        monitor["kind"]!.GetValue<string>().ShouldBe("tcp");
        monitor["target"]!.GetValue<string>().ShouldBe("127.0.0.1:5432");
        monitor["interval"]!.GetValue<double>().ShouldBe(30);
    }

    [Fact]
    public async Task A_gatus_dns_endpoint_becomes_a_dns_monitor_asking_its_nameserver()
    {
        var (status, monitor) = await PostAsync(new
        {
            name = "example-dns-query",
            url = "8.8.8.8",
            dns = new Dictionary<string, string> { ["query-name"] = "example.com", ["query-type"] = "A" },
            conditions = new[] { "[BODY] == 93.184.216.34", "[DNS_RCODE] == NOERROR" },
        });

        status.ShouldBe(HttpStatusCode.Created, monitor.ToJsonString());
        monitor["kind"]!.GetValue<string>().ShouldBe("dns");
        monitor["target"]!.GetValue<string>().ShouldBe("example.com@8.8.8.8");
        monitor["method"]!.GetValue<string>().ShouldBe("A");
    }

    [Fact]
    public async Task A_tcp_target_may_be_written_as_a_tcp_url_and_intervals_as_durations()
    {
        var (status, monitor) = await PostAsync(new { name = "cache", kind = "tcp", target = "tcp://127.0.0.1:6379", interval = "1m30s", timeout = "5s" });

        status.ShouldBe(HttpStatusCode.Created, monitor.ToJsonString());
        monitor["target"]!.GetValue<string>().ShouldBe("127.0.0.1:6379");
        monitor["interval"]!.GetValue<double>().ShouldBe(90);
        monitor["timeout"]!.GetValue<double>().ShouldBe(5);

        using var patch = await _app.Admin.PatchAsJsonAsync($"api/v1/monitors/{monitor["id"]}", new { interval = "2h" });
        patch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await patch.Content.ReadFromJsonAsync<JsonObject>())!["interval"]!.GetValue<double>().ShouldBe(7200);
    }

    [Fact]
    public async Task Gatus_conditions_on_domain_expiration_and_patterns_are_accepted()
    {
        var (status, monitor) = await PostAsync(new
        {
            name = "domain",
            url = "https://example.org",
            interval = "1h",
            conditions = new[] { "[DOMAIN_EXPIRATION] > 720h", "[BODY].status == pat(U*)", "[STATUS] == 0xC8" },
        });

        status.ShouldBe(HttpStatusCode.Created, monitor.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":"ping","url":"icmp://192.0.2.1"}""", "url")]
    [InlineData("""{"name":"ssh","url":"ssh://example.org:22"}""", "url")]
    [InlineData("""{"name":"relative","url":"/health"}""", "url")]
    [InlineData("""{"name":"no target","conditions":["[STATUS] == 200"]}""", "target")]
    [InlineData("""{"name":"push","kind":"push","url":"https://example.org"}""", "url")]
    [InlineData("""{"name":"push","kind":"push","conditions":["[STATUS] == 200"]}""", "conditions")]
    [InlineData("""{"name":"push","kind":"push","target":"example.org:443"}""", "target")]
    [InlineData("""{"name":"both","url":"https://example.org","target":"https://example.com"}""", "url")]
    [InlineData("""{"name":"mismatch","kind":"tcp","url":"https://example.org"}""", "url")]
    [InlineData("""{"name":"bad interval","url":"https://example.org","interval":"soon"}""", "interval")]
    [InlineData("""{"name":"bad dns","url":"8.8.8.8","dns":{"query-type":"A"}}""", "dns")]
    public async Task What_cannot_be_understood_is_refused_naming_the_field(string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _app.Admin.PostAsync("api/v1/monitors", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>();
        error.ShouldStartWith(field, Case.Sensitive, error);
    }
}
