using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Lifeline.Checks;
using Lifeline.Cli.Client;
using Lifeline.Cli.Probe;
using Lifeline.Client.Push;
using Lifeline.Core.Probes;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Probe;

/// <summary>
/// The probe against a real fake server on loopback, with real check targets: a recording HTTP
/// server and a closed TCP port. Timings are shortened (retries in tenths of a second).
/// </summary>
public sealed class ProbeAgentTests : IAsyncLifetime
{
    private const string Token = "enrol-token-1";

    private readonly TempFolder _folder = new();
    private readonly StringWriter _log = new();
    private FakeProbeServer _server = null!;
    private RecordingServer _target = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProbeServer.StartAsync(Token);
        _target = await RecordingServer.StartAsync();
        _target.Responder = _ => new Reply(200, "OK", ContentType: "text/plain");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _target.DisposeAsync();
        _folder.Dispose();
        await _log.DisposeAsync();
    }

    private string Log => _log.ToString();

    private ProbeSettings Settings(string? token = Token) => new()
    {
        Server = _server.BaseUri,
        Token = token,
        Spool = Path.Combine(_folder.Path, "spool"),
        Name = "test-probe",
        RetryFirst = TimeSpan.FromMilliseconds(100),
        RetryMax = TimeSpan.FromMilliseconds(400),
        FlushDelay = TimeSpan.FromMilliseconds(100),
        CallTimeout = TimeSpan.FromSeconds(5),
    };

    private sealed class Running(ProbeAgent agent, Task<int> exit, CancellationTokenSource stop) : IAsyncDisposable
    {
        public ProbeAgent Agent { get; } = agent;

        public async Task<int> StopAsync()
        {
            await stop.CancelAsync();
            return await exit.WaitAsync(TimeSpan.FromSeconds(20));
        }

        public Task<int> Exit => exit;

        public async ValueTask DisposeAsync()
        {
            if (!exit.IsCompleted)
            {
                await StopAsync();
            }
            stop.Dispose();
            Agent.Dispose();
        }
    }

    private Running Start(ProbeSettings settings)
    {
        var log = new ConsoleLog(TextWriter.Synchronized(_log), TimeProvider.System);
        var agent = new ProbeAgent(settings, new CheckRunnerProbe(new CheckRunner(TimeProvider.System)), LifelineHttp.Shared, TimeProvider.System, log);
        var stop = new CancellationTokenSource();
        return new Running(agent, Task.Run(() => agent.RunAsync(stop.Token)), stop);
    }

    private ProbeCheck Http(string id, int interval = 1) => new()
    {
        Id = id,
        Name = id,
        Kind = "http",
        Target = _target.Url("/health"),
        Interval = interval,
        Timeout = 5,
    };

    private static ProbeCheck ClosedTcp(string id) => new()
    {
        Id = id,
        Name = id,
        Kind = "tcp",
        Target = $"127.0.0.1:{CliHarness.ClosedPort()}",
        Interval = 1,
        Timeout = 2,
    };

    [Fact]
    public async Task It_enrols_once_and_later_starts_reuse_the_saved_credential()
    {
        await using (var first = Start(Settings()))
        {
            await _server.WaitForAsync(s => s.Polls >= 1, TimeSpan.FromSeconds(20), "the first poll");
            (await first.StopAsync()).ShouldBe(ProbeAgent.Stopped);
        }
        var credential = Path.Combine(_folder.Path, "spool", "credential");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(credential).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        Log.ShouldContain("Enrolled as probe p-1 at location eu-west (loc-1)");

        var polls = _server.Polls;
        await using (var second = Start(Settings(token: null)))
        {
            await _server.WaitForAsync(s => s.Polls > polls, TimeSpan.FromSeconds(20), "a poll with the saved credential");
            (await second.StopAsync()).ShouldBe(ProbeAgent.Stopped);
        }
        _server.Enrolments.ShouldBe(1);
        Log.ShouldContain("Probe p-1 at location eu-west (loc-1), credential from");
    }

    [Fact]
    public async Task Without_a_credential_or_a_token_it_says_how_to_enrol_and_exits_1()
    {
        await using var probe = Start(Settings(token: null));

        (await probe.Exit.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(ProbeAgent.InvalidArguments);
        Log.ShouldContain("Not enrolled yet");
        Log.ShouldContain("Give --token");
    }

    [Fact]
    public async Task A_refused_enrol_token_exits_2()
    {
        await using var probe = Start(Settings(token: "not-a-token"));

        (await probe.Exit.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(ProbeAgent.InvalidCredential);
        Log.ShouldContain("The server refused the enrol token");
    }

    [Fact]
    public async Task A_revoked_credential_stops_the_probe_with_exit_2_and_says_why()
    {
        await using var probe = Start(Settings());
        await _server.WaitForAsync(s => s.Polls >= 1, TimeSpan.FromSeconds(20), "the first poll");

        _server.Revoke();
        _server.Assign(Http("web"));

        (await probe.Exit.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(ProbeAgent.InvalidCredential);
        Log.ShouldContain("The server refused this probe's credential");
    }

    [Fact]
    public async Task Assigned_checks_run_and_their_results_arrive_with_the_monitor_id_and_what_they_saw()
    {
        await using var probe = Start(Settings());
        _server.Assign(Http("web"), ClosedTcp("db"));

        await _server.WaitForAsync(s => s.Stored.Any(r => r.Monitor == "web") && s.Stored.Any(r => r.Monitor == "db"), TimeSpan.FromSeconds(20), "a result of each check");

        var web = _server.Stored.First(r => r.Monitor == "web");
        web.Ok.ShouldBeTrue(web.Message);
        web.Message.ShouldStartWith("HTTP 200 in ");
        web.Conditions.Single().Text.ShouldBe("[STATUS] (200) < 400");
        var db = _server.Stored.First(r => r.Monitor == "db");
        db.Ok.ShouldBeFalse();
        db.Message.ShouldBe("[CONNECTED] (false) == true; connection refused");
        _target.Requests.ShouldContain(r => r.Path == "/health");
        Log.ShouldContain("2 check(s) assigned at location eu-west");
    }

    [Fact]
    public async Task A_batch_whose_answer_was_lost_is_sent_again_with_the_same_id_and_stored_once()
    {
        _server.FailNextPostAfterStoring = true;
        await using var probe = Start(Settings());
        _server.Assign(Http("web"));

        await _server.WaitForAsync(s => s.Posts.Count >= 3, TimeSpan.FromSeconds(20), "three posts");
        await probe.StopAsync();

        var posts = _server.Posts;
        posts[1].ShouldBe(posts[0]);
        posts.Distinct().Count().ShouldBe(posts.Count - 1);
        var stored = _server.Stored;
        stored.Select(r => r.At).Distinct().Count().ShouldBe(stored.Count);
    }

    [Fact]
    public async Task Results_found_while_the_server_is_down_are_all_delivered_when_it_is_back()
    {
        await using var probe = Start(Settings());
        _server.Assign(Http("web"));
        await _server.WaitForAsync(s => s.Stored.Count >= 2, TimeSpan.FromSeconds(20), "results before the outage");

        await _server.StopAsync();
        var downAt = TimeProvider.System.GetUtcNow();
        var results = Path.Combine(_folder.Path, "spool", "results");
        // Counted from the outage on: a result made just before it may wait in the spool too.
        await Until(() => SpooledTimes(results).Count(at => at > downAt) >= 4);
        var upAt = TimeProvider.System.GetUtcNow();
        await _server.StartAsync();
        await _server.WaitForAsync(s => s.Stored.Any(r => r.At > upAt.AddSeconds(1)), TimeSpan.FromSeconds(20), "results after the outage");
        await probe.StopAsync();

        var during = _server.Stored.Count(r => r.At > downAt && r.At < upAt);
        during.ShouldBeGreaterThanOrEqualTo(4);
        // Every second of the run is there: no gap in the results a check made once a second.
        var times = _server.Stored.Select(r => r.At).Order().ToList();
        times.Zip(times.Skip(1), (a, b) => b - a).Max().ShouldBeLessThan(TimeSpan.FromSeconds(2.5));
        Log.ShouldContain("warn: Server not reachable:");
        Log.ShouldContain("Server reachable again after");
        Log.Split("Server not reachable").Length.ShouldBe(2, "the outage is logged once");
    }

    [Fact]
    public async Task A_recheck_later_than_the_last_run_runs_at_once()
    {
        await using var probe = Start(Settings());
        _server.Assign(Http("hourly", interval: 3600) with { RecheckAt = TimeProvider.System.GetUtcNow() });

        await _server.WaitForAsync(s => s.Stored.Any(r => r.Monitor == "hourly"), TimeSpan.FromSeconds(20), "the re-check's result");
        _server.Stored.Count(r => r.Monitor == "hourly").ShouldBe(1);
    }

    [Fact]
    public async Task Results_left_in_the_spool_at_stop_are_sent_on_the_next_start_oldest_first()
    {
        await using (var first = Start(Settings()))
        {
            _server.Assign(Http("web"));
            await _server.WaitForAsync(s => s.Stored.Count >= 1, TimeSpan.FromSeconds(20), "a first result");
            await _server.StopAsync();
            await Until(() => SpooledResults(Path.Combine(_folder.Path, "spool", "results")) >= 3);
            await first.StopAsync();
        }
        var spooled = SpooledLines(Path.Combine(_folder.Path, "spool", "results"));
        var waited = spooled.Select(MadeAt).ToList();
        _server.Assign();
        await _server.StartAsync();

        await using var second = Start(Settings(token: null));
        await _server.WaitForAsync(s => !waited.Except(s.Stored.Select(r => r.At)).Any(), TimeSpan.FromSeconds(20), "the spooled results");
        await second.StopAsync();

        // The second start may run its cached check once before its first poll; what it makes then
        // may wait in the spool for the next start. What waited at the first stop is gone.
        SpooledLines(Path.Combine(_folder.Path, "spool", "results")).Intersect(spooled).ShouldBeEmpty();
        var times = _server.Stored.Select(r => r.At).ToList();
        waited.Count.ShouldBeGreaterThanOrEqualTo(3);
        times.ShouldBe(times.Order().ToList(), "delivered oldest first");
    }

    private static Task<bool> Until(Func<bool> condition) =>
        Eventually.GetAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(20));

    private static HashSet<string> SpooledLines(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder).SelectMany(File.ReadLines).Where(l => l.Length > 0)] : [];

    private static IEnumerable<DateTimeOffset> SpooledTimes(string folder) => SpooledLines(folder).Select(MadeAt);

    /// <summary>When the result on a spooled line was made.</summary>
    private static DateTimeOffset MadeAt(string line) => JsonSerializer.Deserialize(line, ProbeJson.Default.ProbeResult)!.At;

    private static int SpooledResults(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Sum(f => File.ReadLines(f).Count(l => l.Length > 0)) : 0;
}
