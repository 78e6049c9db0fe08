using System.Net;
using System.Net.Sockets;
using Lifeline.Checks;
using Lifeline.Storage.Sqlite;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Server.Tests.Checks;

/// <summary>The active check sweep on a real SQLite store and a manual clock, with real loopback targets where a probe runs.</summary>
public sealed class ActiveCheckSweepTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private readonly DispatchSignal _dispatch = new();
    private readonly CheckLag _lag = new();
    private string _folder = null!;
    private SqliteStore _store = null!;
    private RecordingServer _target = null!;
    private TcpListener _silent = null!;

    public async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        _store = new SqliteStore(new SqliteOptions { Path = Path.Combine(_folder, "lifeline.db") }, _clock, NullLogger<SqliteStore>.Instance);
        await _store.MigrateAsync(Ct);
        _target = await RecordingServer.StartAsync();
        // Accepts connections and never answers: the slowest target there is.
        _silent = new TcpListener(IPAddress.Loopback, 0);
        _silent.Start();
    }

    public async Task DisposeAsync()
    {
        _silent.Dispose();
        await _target.DisposeAsync();
        await _store.DisposeAsync();
        _dispatch.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static CancellationToken Ct => CancellationToken.None;

    private string SilentUrl => $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/";

    private ActiveCheckSweep Sweep(IActiveProbe? probe = null, int concurrency = 64) =>
        new(_store, probe ?? new CheckRunnerProbe(new CheckRunner(_clock)), _clock, _dispatch, _lag,
            new ActiveCheckOptions { Concurrency = concurrency }, NullLogger<ActiveCheckSweep>.Instance);

    private async Task<Monitor> AddAsync(string name, string target, MonitorKind kind = MonitorKind.Http, DateTimeOffset? dueAt = null, int timeoutSeconds = 10)
    {
        var due = dueAt ?? _clock.GetUtcNow();
        return await _store.AddAsync(new Monitor
        {
            Id = Secrets.NewId(),
            Name = name,
            Kind = kind,
            Target = target,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
            DueAt = due,
            NextDeadlineAt = due,
            CreatedAt = _clock.GetUtcNow(),
        }, Ct);
    }

    private async Task<Monitor> FindAsync(Monitor m) => (await _store.FindAsync(m.Id, Ct))!;

    [Fact]
    public async Task Only_active_monitors_that_are_due_are_checked()
    {
        var due = await AddAsync("due", _target.Url("/due"));
        var later = await AddAsync("later", _target.Url("/later"), dueAt: _clock.GetUtcNow().AddSeconds(30));
        await _store.AddAsync(new Monitor { Id = Secrets.NewId(), Name = "push", PushToken = Secrets.NewPushToken(), DueAt = _clock.GetUtcNow(), CreatedAt = _clock.GetUtcNow() }, Ct);
        using var sweep = Sweep();

        await sweep.SweepOnceAsync(Ct);
        await sweep.DrainAsync();

        _target.Requests.Select(r => r.Path).ShouldBe(["/due"]);
        (await FindAsync(due)).Status.ShouldBe(MonitorStatus.Up);
        (await FindAsync(later)).Status.ShouldBe(MonitorStatus.New);
    }

    [Fact]
    public async Task A_checked_monitor_is_not_checked_again_before_its_next_slot()
    {
        var monitor = await AddAsync("api", _target.Url("/"));
        using var sweep = Sweep();
        await sweep.SweepOnceAsync(Ct);
        await sweep.DrainAsync();
        var next = (await FindAsync(monitor)).DueAt!.Value;

        _clock.Set(next.AddMilliseconds(-1));
        await sweep.SweepOnceAsync(Ct);
        await sweep.DrainAsync();
        var before = _target.Requests.Count;
        _clock.Set(next);
        await sweep.SweepOnceAsync(Ct);
        await sweep.DrainAsync();

        before.ShouldBe(1);
        _target.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task No_more_checks_run_at_once_than_the_concurrency_allows_and_a_freed_slot_starts_the_next()
    {
        for (var i = 0; i < 5; i++)
        {
            await AddAsync($"m{i}", _target.Url($"/{i}"));
        }
        var probe = new GatedProbe();
        using var sweep = Sweep(probe, concurrency: 2);

        var more = await sweep.SweepOnceAsync(Ct);
        await probe.WaitForStartedAsync(2);
        var runningAtFirst = sweep.Running;
        probe.ReleaseOne();
        await probe.WaitForStartedAsync(3);

        more.ShouldBeTrue();
        runningAtFirst.ShouldBe(2);
        probe.MaxConcurrent.ShouldBe(2);
        probe.ReleaseAll();
        await sweep.DrainAsync();
        probe.Started.ShouldBe(5);
        probe.MaxConcurrent.ShouldBe(2);
    }

    [Fact]
    public async Task A_target_that_never_answers_does_not_hold_up_the_other_checks()
    {
        var slow = await AddAsync("slow", SilentUrl);
        var fast = await AddAsync("fast", _target.Url("/fast"), dueAt: _clock.GetUtcNow().AddMilliseconds(1));
        using var sweep = Sweep(concurrency: 4);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await sweep.SweepOnceAsync(Ct);
        var fastChecked = await Eventually.GetAsync(() => FindAsync(fast), m => m.Status == MonitorStatus.Up);

        fastChecked.LastMessage!.ShouldStartWith("HTTP 200");
        // The result is readable as soon as it commits, a moment before the check lets go of its slot.
        (await Eventually.GetAsync(() => Task.FromResult(sweep.Running), r => r == 1)).ShouldBe(1);
        (await FindAsync(slow)).Status.ShouldBe(MonitorStatus.New);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await sweep.DrainAsync();
        var timedOut = await FindAsync(slow);
        timedOut.Status.ShouldBe(MonitorStatus.Down);
        timedOut.LastMessage!.ShouldContain("timed out");
    }

    [Fact]
    public async Task A_check_result_for_a_monitor_paused_meanwhile_is_dropped()
    {
        var monitor = await AddAsync("api", _target.Url("/"));
        var probe = new GatedProbe();
        using var sweep = Sweep(probe);
        await sweep.SweepOnceAsync(Ct);
        await probe.WaitForStartedAsync(1);

        await _store.ChangeAsync(monitor.Id, MonitorMachine.Pause, Ct);
        probe.ReleaseAll();
        await sweep.DrainAsync();

        var paused = await FindAsync(monitor);
        paused.Status.ShouldBe(MonitorStatus.Paused);
        (await _store.EventsAsync(monitor.Id, 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Lateness_is_measured_from_the_due_time()
    {
        await AddAsync("api", _target.Url("/"), dueAt: _clock.GetUtcNow());
        using var sweep = Sweep();
        _clock.Advance(TimeSpan.FromMilliseconds(700));

        await sweep.SweepOnceAsync(Ct);
        await sweep.DrainAsync();

        _lag.PercentileMs(0.99).ShouldBe(700);
    }

    /// <summary>A probe whose checks wait until the test lets them finish; counts how many run at once.</summary>
    private sealed class GatedProbe : IActiveProbe
    {
        private readonly SemaphoreSlim _gate = new(0);
        private readonly SemaphoreSlim _started = new(0);
        private int _running;
        private int _max;
        private int _count;

        public int MaxConcurrent => Volatile.Read(ref _max);
        public int Started => Volatile.Read(ref _count);

        public async Task<CheckReport> CheckAsync(Monitor monitor, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _running);
            InterlockedMax(ref _max, now);
            Interlocked.Increment(ref _count);
            _started.Release();
            await _gate.WaitAsync(ct);
            Interlocked.Decrement(ref _running);
            return new CheckReport { Ok = true, Message = "fine" };
        }

        public async Task WaitForStartedAsync(int count)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Started < count)
            {
                await _started.WaitAsync(cts.Token);
            }
        }

        public void ReleaseOne() => _gate.Release();

        public void ReleaseAll() => _gate.Release(100);

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
