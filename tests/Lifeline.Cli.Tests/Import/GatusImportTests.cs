using System.Globalization;
using Lifeline.Cli.Import;
using Lifeline.Core;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Import;

/// <summary><c>lifeline import gatus</c> with configurations written as Gatus' README writes them.</summary>
public sealed class GatusImportTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private RecordingServer _target = null!;

    public async Task InitializeAsync()
    {
        _target = await RecordingServer.StartAsync();
        _target.Responder = _ => new Reply(200, """{"status": "UP"}""");
    }

    public async Task DisposeAsync()
    {
        await _target.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>The README's examples, the first endpoint pointed at the test's own target.</summary>
    private string Config()
    {
        var path = Path.Combine(_folder.Path, "config.yaml");
        File.WriteAllText(path, $$"""
            alerting:
              slack:
                webhook-url: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
              custom:
                url: "https://hooks.example.com/gatus"
                method: "POST"
                body: |
                  {"text": "[ALERT_TRIGGERED_OR_RESOLVED]: [ENDPOINT_NAME] - [ALERT_DESCRIPTION]"}
              twilio:
                sid: "..."
                token: "..."
                from: "+1-234-567-8901"
                to: "+1-234-567-8901"

            endpoints:
              - name: website
                group: core
                url: "{{_target.Url("/health")}}"
                interval: 5m
                conditions:
                  - "[STATUS] == 200"
                  - "[BODY].status == UP"
                  - "[RESPONSE_TIME] < 300"
                alerts:
                  - type: slack
                    failure-threshold: 3
                    send-on-resolved: true
                    description: "healthcheck failed"
                  - type: custom
              - name: make-sure-header-is-rendered
                url: "https://example.org/"
                method: "POST"
                headers:
                  Content-Type: application/json
                body: |
                  {"query": "{ user(id: 42) { name } }"}
                conditions:
                  - "[STATUS] == 200"
              - name: example-dns-query
                url: "8.8.8.8"
                dns:
                  query-name: "example.com"
                  query-type: "A"
                conditions:
                  - "[BODY] == 93.184.215.14"
                  - "[DNS_RCODE] == NOERROR"
              - name: icmp-ping
                url: "icmp://example.org"
                conditions:
                  - "[CONNECTED] == true"
              - name: postgres
                group: core
                url: "tcp://127.0.0.1:5432"
                interval: 30s
                conditions:
                  - "[CONNECTED] == true"
            """);
        return path;
    }

    [Fact]
    public async Task The_dry_run_maps_endpoints_and_providers_and_lists_what_Lifeline_cannot_check()
    {
        var run = await ImportRun.InvokeAsync("gatus", "--config", Config());

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Row("endpoint \"core/website\"").ShouldContain($"http monitor \"website\" on {_target.Url("/health")}");
        run.Row("endpoint \"example-dns-query\"").ShouldContain("dns monitor \"example-dns-query\" on example.com@8.8.8.8");
        run.Row("endpoint \"core/postgres\"").ShouldContain("tcp monitor \"postgres\" on 127.0.0.1:5432");
        run.Row("endpoint \"icmp-ping\" (icmp)").ShouldContain("Lifeline has no ICMP ping check");
        run.Row("alerting provider \"slack\"").ShouldContain("slack channel \"gatus slack\"");
        run.Row("alerting provider \"custom\"").ShouldContain("webhook channel \"gatus custom\" | Lifeline posts its own JSON notice");
        run.Row("alerting provider \"twilio\"").ShouldContain("Lifeline has no \"twilio\" channel");
    }

    [Fact]
    public async Task After_the_import_an_endpoint_is_an_active_monitor_that_checks_its_target_with_Gatus_conditions()
    {
        await using var server = await ImportServer.StartAsync();

        var run = await ImportRun.ApplyAsync(server, "gatus", "--config", Config());

        run.ExitCode.ShouldBe(0, run.Output + run.Errors);
        var monitors = await server.MonitorsAsync();
        var website = monitors.Single(m => m["name"]!.GetValue<string>() == "website");
        website["kind"]!.GetValue<string>().ShouldBe("http");
        website["interval"]!.GetValue<double>().ShouldBe(300);
        website["retries"]!.GetValue<int>().ShouldBe(2);
        website["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["core"]);
        website["conditions"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["[STATUS] == 200", "[BODY].status == UP", "[RESPONSE_TIME] < 300"]);
        var channels = await server.ChannelsAsync();
        website["channels"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(channels.Select(c => c["id"]!.GetValue<string>()), ignoreOrder: true);
        var header = monitors.Single(m => m["name"]!.GetValue<string>() == "make-sure-header-is-rendered");
        header["method"]!.GetValue<string>().ShouldBe("POST");
        header["headers"]!["Content-Type"]!.GetValue<string>().ShouldBe("application/json");
        monitors.Single(m => m["name"]!.GetValue<string>() == "postgres")["target"]!.GetValue<string>().ShouldBe("127.0.0.1:5432");

        // The scheduler's next pass at the monitor's first check: it asks the target and judges the answer.
        var due = DateTimeOffset.Parse(website["nextDeadlineAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        if (due > server.Clock.GetUtcNow())
        {
            server.Clock.Set(due);
        }
        var sweep = server.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();

        _target.Requests.ShouldContain(r => r.Method == "GET" && r.Path == "/health");
        var checkedMonitor = await server.GetJsonAsync($"api/v1/monitors/{website["id"]}");
        checkedMonitor["status"]!.GetValue<string>().ShouldBe("up");
    }

    [Fact]
    public async Task A_second_apply_of_the_same_config_changes_nothing()
    {
        await using var server = await ImportServer.StartAsync();
        (await ImportRun.ApplyAsync(server, "gatus", "--config", Config())).ExitCode.ShouldBe(0);
        var before = (await server.MonitorsAsync()).Select(m => m["id"]!.GetValue<string>()).ToList();

        var again = await ImportRun.ApplyAsync(server, "gatus", "--config", Config());

        again.ExitCode.ShouldBe(0, again.Errors);
        again.Output.ShouldContain("0 created, 6 unchanged");
        (await server.MonitorsAsync()).Select(m => m["id"]!.GetValue<string>()).ShouldBe(before);
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("30s", 30)]
    [InlineData("1h30m", 5400)]
    [InlineData("1m30s", 90)]
    [InlineData("500ms", 0.5)]
    public void Go_durations_as_Gatus_writes_them_are_read(string text, double seconds)
    {
        GoDuration.TryParse(text, out var duration).ShouldBeTrue();
        duration.TotalSeconds.ShouldBe(seconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("five minutes")]
    [InlineData("0s")]
    public void Text_that_is_not_a_Go_duration_is_refused(string text) =>
        GoDuration.TryParse(text, out _).ShouldBeFalse();
}
