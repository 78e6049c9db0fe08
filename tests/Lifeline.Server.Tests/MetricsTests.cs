using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Lifeline.Server.Endpoints;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>/metrics: one series per monitor and family, labelled id, name and kind, in a text promtool accepts.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await LifelineApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> MetricsAsync()
    {
        using var response = await _app.Anonymous.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one sample of <paramref name="family"/> for monitor <paramref name="id"/>, or null without one.</summary>
    private static string? SampleOf(string text, string family, string id)
    {
        var lines = text.Split('\n').Where(l => l.StartsWith(family + "{id=\"" + id + "\"", StringComparison.Ordinal)).ToList();
        lines.Count.ShouldBeLessThanOrEqualTo(1, $"{family} of {id}:\n{string.Join('\n', lines)}");
        return lines.Count == 0 ? null : lines[0][(lines[0].LastIndexOf(' ') + 1)..];
    }

    private async Task<string> IdOfAsync(object body) => (await _app.CreateMonitorAsync(body))["id"]!.GetValue<string>();

    [Fact]
    public async Task Each_monitor_has_its_state_response_time_certificate_expiry_and_signal_age()
    {
        var pushed = await IdOfAsync(new { name = "backup", kind = "push", pushToken = "backup-token-1" });
        var silent = await IdOfAsync(new { name = "fresh", kind = "push" });
        var paused = await IdOfAsync(new { name = "sleeping", kind = "push" });
        var site = await IdOfAsync(new { name = "site", url = "https://127.0.0.1:9/", interval = "5m" });
        (await _app.Anonymous.GetAsync("api/push/backup-token-1?status=up&ping=42")).EnsureSuccessStatusCode();
        (await _app.Admin.PostAsync($"api/v1/monitors/{paused}/pause", null)).EnsureSuccessStatusCode();
        var expires = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await _app.Service<IMonitorStore>().RecordAsync(new SignalAddress { MonitorId = site }, new Signal
        {
            Kind = SignalKind.Check,
            Ok = false,
            At = _app.Clock.GetUtcNow(),
            Message = "[STATUS] (503) == 200",
            DurationMs = 250,
            CertificateExpiresAt = expires,
        }, CancellationToken.None);
        _app.Clock.Advance(TimeSpan.FromSeconds(30));

        var text = await MetricsAsync();

        text.ShouldContain($"lifeline_monitor_up{{id=\"{pushed}\",name=\"backup\",kind=\"push\"}} 1\n");
        SampleOf(text, "lifeline_monitor_up", silent).ShouldBeNull();
        SampleOf(text, "lifeline_monitor_up", paused).ShouldBeNull();
        text.ShouldContain($"lifeline_monitor_status{{id=\"{pushed}\",name=\"backup\",kind=\"push\",status=\"up\"}} 1\n");
        text.ShouldContain($"lifeline_monitor_status{{id=\"{silent}\",name=\"fresh\",kind=\"push\",status=\"new\"}} 2\n");
        text.ShouldContain($"lifeline_monitor_status{{id=\"{paused}\",name=\"sleeping\",kind=\"push\",status=\"paused\"}} 3\n");
        SampleOf(text, "lifeline_monitor_response_time_seconds", pushed).ShouldBe("0.042");
        SampleOf(text, "lifeline_monitor_response_time_seconds", site).ShouldBe("0.25");
        SampleOf(text, "lifeline_monitor_response_time_seconds", silent).ShouldBeNull();
        SampleOf(text, "lifeline_monitor_certificate_expiry_timestamp_seconds", site).ShouldBe(expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        SampleOf(text, "lifeline_monitor_last_signal_age_seconds", pushed).ShouldBe("30");
        SampleOf(text, "lifeline_monitor_last_signal_age_seconds", silent).ShouldBeNull();
        SampleOf(text, "lifeline_monitor_up", site).ShouldNotBeNull();
        text.ShouldContain("# TYPE lifeline_monitor_up gauge\n");
    }

    [Fact]
    public async Task Label_values_escape_quotes_backslashes_and_line_breaks()
    {
        var id = await IdOfAsync(new { name = "say \"hi\" \\ to\nall", kind = "push" });

        var text = await MetricsAsync();

        text.ShouldContain($"lifeline_monitor_status{{id=\"{id}\",name=\"say \\\"hi\\\" \\\\ to\\nall\",kind=\"push\",status=\"new\"}} 2\n");
    }

    [Fact]
    public async Task Every_family_groups_its_samples_across_pages_of_monitors_and_file_spools()
    {
        var store = _app.Service<IMonitorStore>();
        for (var i = 0; i < MonitorMetrics.PageSize + 25; i++)
        {
            await store.AddAsync(new Monitor
            {
                Id = $"m{i:D5}",
                Name = $"monitor {i}",
                PushToken = $"token-{i:D5}-abc",
                CreatedAt = _app.Clock.GetUtcNow(),
                Status = MonitorStatus.Up,
                LastSignalAt = _app.Clock.GetUtcNow(),
            }, CancellationToken.None);
        }
        using var memory = new MemoryStream();
        await using (var writer = new StreamWriter(memory, new UTF8Encoding(false), 1024, leaveOpen: true))
        {
            await MonitorMetrics.WriteAsync(writer, store, _app.Service<IMonitorOverviewStore>(), _app.Clock.GetUtcNow(), MonitorMetrics.PageSize + 25, CancellationToken.None, spoolInMemoryUpTo: 0);
            await writer.FlushAsync();
        }
        var text = Encoding.UTF8.GetString(memory.ToArray());

        var families = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l[..l.IndexOf('{', StringComparison.Ordinal)]).ToList();
        // Each family's samples in one run: the family changes exactly when a new one starts.
        families.Where((f, i) => i == 0 || families[i - 1] != f).ShouldBe(["lifeline_monitor_up", "lifeline_monitor_status", "lifeline_monitor_last_signal_age_seconds"]);
        families.Count.ShouldBe(3 * (MonitorMetrics.PageSize + 25));
        text.ShouldContain("# HELP lifeline_monitor_up ");
    }

    [Fact]
    public async Task Metrics_can_require_an_api_key()
    {
        await using var app = await LifelineApp.StartAsync("--Lifeline:MetricsRequireKey=true");

        using var anonymous = await app.Anonymous.GetAsync("metrics");
        using var admin = await app.Admin.GetAsync("metrics");

        ((int)anonymous.StatusCode).ShouldBe(401);
        ((int)admin.StatusCode).ShouldBe(200);
    }

    [PromtoolFact]
    public async Task Promtool_finds_nothing_to_complain_about()
    {
        await IdOfAsync(new { name = "backup \"nightly\"", kind = "push", pushToken = "backup-token-2" });
        await IdOfAsync(new { name = "site", url = "https://127.0.0.1:9/" });
        await IdOfAsync(new { name = "never", kind = "push" });
        (await _app.Anonymous.GetAsync("api/push/backup-token-2?ping=12.5")).EnsureSuccessStatusCode();
        var text = await MetricsAsync();

        var (exit, output) = await PromtoolAsync(text);

        output.ShouldBeEmpty(text);
        exit.ShouldBe(0, output);
    }

    private static async Task<(int Exit, string Output)> PromtoolAsync(string metrics)
    {
        var start = new ProcessStartInfo(PromtoolFactAttribute.Path!, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}

/// <summary>A test that runs only where promtool is installed (CI installs the prometheus package).</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "promtool"))
        .FirstOrDefault(File.Exists);

    public PromtoolFactAttribute()
    {
        if (Path is null)
        {
            Skip = "promtool is not installed here (apt-get install prometheus puts it on the PATH)";
        }
    }
}
