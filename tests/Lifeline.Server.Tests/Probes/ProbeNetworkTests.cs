using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests.Probes;

/// <summary>
/// Remote probes as users run them: three real <c>lifeline probe</c> processes, each in its own
/// network namespace (a separate host with its own link), a real server process, one target all of
/// them reach. Locations are cut off from the target by deleting their route, probes are killed
/// with SIGKILL, and the server is stopped while the probes keep checking.
/// </summary>
public sealed class ProbeNetworkTests : IAsyncLifetime
{
    private static readonly string[] Names = ["paris", "tokyo", "ohio"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
    private readonly List<(Process Process, StringBuilder Output)> _probes = [];
    private NetworkLab? _lab;
    private RecordingServer? _target;
    private RecordingServer _receiver = null!;
    private LifelineProcess? _server;
    private int _port;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _receiver = await RecordingServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var (process, _) in _probes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
        _lab?.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<LifelineProcess> StartServerAsync() => LifelineProcess.StartAsync(
        Path.Combine(_folder, "server"),
        new LifelineProcess.Launch(Urls: $"http://0.0.0.0:{_port}", Environment: new Dictionary<string, string>
        {
            ["Lifeline__ProbeLeaseSeconds"] = "10",
            ["Lifeline__ProbePollSeconds"] = "5",
        }),
        _port);

    private async Task<JsonObject> MonitorAsync(string id) => (await _server!.Admin.GetFromJsonAsync<JsonObject>($"api/v1/monitors/{id}"))!;

    private async Task<string> StatusAsync(string id) => (await MonitorAsync(id))["status"]!.GetValue<string>();

    private IEnumerable<RecordedRequest> NoticesFor(string name) => _receiver.Requests.Where(r => r.Body.Contains($"\"name\":\"{name}\"", StringComparison.Ordinal));

    [NetnsFact]
    public async Task Probes_on_separate_hosts_vote_degraded_then_down_survive_a_killed_probe_and_deliver_what_they_kept_while_the_server_was_away()
    {
        _lab = NetworkLab.Create(Names.Length);
        // Answers 200 to anything, on every address of the host, so each namespace reaches it.
        _target = await RecordingServer.StartAsync("http://0.0.0.0:0");
        _port = LifelineProcess.FreePort();
        _server = await StartServerAsync();
        var hook = await _server.Admin.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "ops", url = _receiver.Url("/hook") });
        var channel = (await hook.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var locations = new List<string>();
        for (var i = 0; i < Names.Length; i++)
        {
            var created = await _server.Admin.PostAsJsonAsync("api/v1/locations", new { name = Names[i] });
            var json = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
            locations.Add(json["id"]!.GetValue<string>());
            var output = new StringBuilder();
            var process = _lab.Start(i, output, "dotnet", Path.Combine(AppContext.BaseDirectory, "lifeline.dll"), "probe",
                "--server", $"http://{_lab.HostAddress(i)}:{_port}", "--token", json["enrollToken"]!.GetValue<string>(),
                "--spool", Path.Combine(_folder, $"spool-{i}"), "--name", $"probe-{Names[i]}");
            _probes.Add((process, output));
        }
        var shop = await _server.Admin.PostAsJsonAsync("api/v1/monitors", new
        {
            name = "shop",
            kind = "http",
            target = $"http://{_lab.TargetAddress}:{_target.Port}/",
            interval = 2,
            timeout = 1,
            locations,
            channels = new[] { channel },
        });
        var id = (await shop.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // Every location reaches the shop.
        await Eventually.GetAsync(async () => (await MonitorAsync(id))["lastMessage"]?.GetValue<string>() ?? "",
            message => message.StartsWith("up from 3 of 3", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        // One location loses its route: degraded, and nobody is paged.
        _lab.Cut(0);
        await Eventually.GetAsync(() => StatusAsync(id), s => s == "degraded", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(4));
        (await StatusAsync(id)).ShouldBe("degraded");
        NoticesFor("shop").ShouldBeEmpty();

        // A second one: down within seconds, one notice naming both and what each saw.
        var cut = Stopwatch.StartNew();
        _lab.Cut(1);
        await Eventually.GetAsync(() => StatusAsync(id), s => s == "down", TimeSpan.FromSeconds(20));
        var confirmed = cut.Elapsed;
        await Eventually.GetAsync(() => Task.FromResult(NoticesFor("shop").ToList()), n => n.Count >= 1, TimeSpan.FromSeconds(20));
        var notice = NoticesFor("shop").ShouldHaveSingleItem().Body;
        notice.ShouldContain("down from 2 of 3 locations");
        notice.ShouldContain("paris: down");
        notice.ShouldContain("tokyo: down");
        notice.ShouldContain("ohio: up");
        confirmed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "a second location's failure is confirmed within seconds, not an interval");

        // Back: up again, with its recovery notice.
        _lab.Restore(0);
        _lab.Restore(1);
        await Eventually.GetAsync(() => StatusAsync(id), s => s == "up", TimeSpan.FromSeconds(30));

        // A probe killed outright: its location is unknown, never down.
        _probes[2].Process.Kill(entireProcessTree: true);
        await Task.Delay(Lifeline.Core.Probes.Quorum.FreshFor(new Monitor { Id = "x", Name = "x", Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) }) + TimeSpan.FromSeconds(3));
        var afterKill = await MonitorAsync(id);
        afterKill["status"]!.GetValue<string>().ShouldBe("up");
        afterKill["lastMessage"]!.GetValue<string>().ShouldContain("ohio: unknown");

        // The server goes away while paris and tokyo keep checking; what they kept arrives after.
        await _server.KillHardAsync();
        var awayFrom = TimeProvider.System.GetUtcNow();
        await Task.Delay(TimeSpan.FromSeconds(8));
        var awayUntil = TimeProvider.System.GetUtcNow();
        await _server.DisposeAsync();
        _server = await StartServerAsync();
        foreach (var location in locations.Take(2))
        {
            await Eventually.GetAsync(async () =>
            {
                var events = (await _server.Admin.GetFromJsonAsync<JsonArray>($"api/v1/monitors/{id}/events?limit=1000"))!;
                return events.Count(e => e!["location"]?.GetValue<string>() == location
                    && DateTimeOffset.Parse(e["at"]!.GetValue<string>(), CultureInfo.InvariantCulture) is var at && at > awayFrom && at < awayUntil);
            }, kept => kept >= 3, TimeSpan.FromSeconds(30));
        }
    }
}
