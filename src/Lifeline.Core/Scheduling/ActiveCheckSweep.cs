using Microsoft.Extensions.Logging;

namespace Lifeline.Core;

/// <summary>Settings of the active check sweep.</summary>
public sealed record ActiveCheckOptions
{
    /// <summary>Most checks running at once [64].</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Most due monitors read per kind and pass [1000].</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Time a check may take beyond its monitor's timeout before the sweep gives up on it [2 s].</summary>
    public TimeSpan TimeoutMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Checks of the server's own connectivity (an http or tcp monitor each). When a check fails and
    /// every canary fails too, the result is recorded as unknown. Empty: no canary.
    /// </summary>
    public IReadOnlyList<Monitor> Canaries { get; init; } = [];

    /// <summary>How long one canary verdict is reused [10 s].</summary>
    public TimeSpan CanaryTtl { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Starts the checks of due active monitors. Each pass reads the due monitors, starts as many as
/// free slots allow, and queues the rest; a finishing check starts the next queued one at once, so
/// a slow target holds one slot and never the others. Results go through the monitor state
/// machine like any signal, with a compare-and-swap on the due time the check was started for.
/// </summary>
public sealed class ActiveCheckSweep : IDisposable
{
    private static readonly MonitorKind[] ActiveKinds = [MonitorKind.Http, MonitorKind.Tcp, MonitorKind.Dns, MonitorKind.Tls];

    private readonly IMonitorStore _store;
    private readonly IActiveProbe _probe;
    private readonly TimeProvider _clock;
    private readonly DispatchSignal _dispatch;
    private readonly CheckLag _lag;
    private readonly ActiveCheckOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    // Checks finished so far, and the count when each monitor's last check finished.
    private long _finished;
    private readonly Dictionary<string, long> _lastFinished = new(StringComparer.Ordinal);
    private readonly Queue<Monitor> _waiting = new();
    private readonly CancellationTokenSource _stopping = new();
    private (DateTimeOffset At, Task<bool> Down)? _canary;
    private readonly StatusWatch? _watch;

    public ActiveCheckSweep(IMonitorStore store, IActiveProbe probe, TimeProvider clock, DispatchSignal dispatch, CheckLag lag, ActiveCheckOptions options, ILogger<ActiveCheckSweep> logger, StatusWatch? watch = null)
    {
        _watch = watch;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _store = store;
        _probe = probe;
        _clock = clock;
        _dispatch = dispatch;
        _lag = lag;
        _options = options;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
    }

    /// <summary>Checks running now.</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>One pass: starts due checks up to the concurrency limit. Returns true when more were due than slots were free.</summary>
    public async Task<bool> SweepOnceAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var due = new List<Monitor>();
        int running;
        long finishedBefore;
        lock (_gate)
        {
            running = _running.Count;
            finishedBefore = _finished;
        }
        foreach (var kind in ActiveKinds)
        {
            due.AddRange(await _store.DueAsync(kind, now, _options.BatchSize + running, ct));
        }
        due.Sort((a, b) => Nullable.Compare(a.DueAt, b.DueAt));
        lock (_gate)
        {
            // The queue is rebuilt from the store each pass, so monitors paused or deleted meanwhile drop out.
            _waiting.Clear();
            foreach (var monitor in due)
            {
                // A check that finished after the store was read has moved the monitor's due time:
                // this pass saw it as it was before, so it is not due again.
                var finishedSince = _lastFinished.TryGetValue(monitor.Id, out var finished) && finished > finishedBefore;
                if (!_running.ContainsKey(monitor.Id) && !finishedSince)
                {
                    _waiting.Enqueue(monitor);
                }
            }
        }
        StartWaiting();
        lock (_gate)
        {
            return _waiting.Count > 0;
        }
    }

    /// <summary>Waits for every running check, and those they start, to finish and be recorded.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _running.Values];
            }
            if (running.Length == 0)
            {
                return;
            }
            await Task.WhenAll(running);
        }
    }

    /// <summary>Cancels running checks without recording them (server shutdown).</summary>
    public void Stop() => _stopping.Cancel();

    private void StartWaiting()
    {
        while (true)
        {
            Monitor monitor;
            lock (_gate)
            {
                if (_waiting.Count == 0 || !_slots.Wait(0))
                {
                    return;
                }
                monitor = _waiting.Dequeue();
                if (_running.ContainsKey(monitor.Id))
                {
                    _slots.Release();
                    continue;
                }
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _running[monitor.Id] = started.Task;
                _ = RunAsync(monitor, started);
            }
        }
    }

    private async Task RunAsync(Monitor monitor, TaskCompletionSource done)
    {
        // Off the caller's thread: a probe that blocks before its first await must not hold the sweep.
        await Task.Yield();
        try
        {
            var startedAt = _clock.GetUtcNow();
            _lag.Record(startedAt - (monitor.DueAt ?? startedAt));
            var report = await CheckAsync(monitor);
            if (report is null)
            {
                return;
            }
            // A verdict from several locations has its own unknown; the canary speaks only for the server alone.
            var unknown = report.Unknown || (!report.Ok && !monitor.IsMultiLocation && await CanaryDownAsync());
            var signal = new Signal
            {
                Kind = SignalKind.Check,
                Ok = report.Ok,
                At = _clock.GetUtcNow(),
                Message = unknown && !report.Unknown ? $"unknown (the server's canary failed too): {report.Message}" : report.Message,
                DurationMs = report.DurationMs,
                Conditions = report.Conditions,
                Unknown = unknown,
                Degraded = report.Degraded,
                CertificateExpiresAt = report.CertificateExpiresAt,
            };
            var result = await _store.RecordAsync(new SignalAddress { MonitorId = monitor.Id, ExpectedDueAt = monitor.DueAt }, signal, _stopping.Token);
            if (result.Monitor is { } recorded)
            {
                _watch?.Saw(recorded);
            }
            if (result.PlannedNotice)
            {
                _dispatch.Wake();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: a check cut short is not a failure of its target.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Check of monitor {Monitor} could not be recorded", monitor.Id);
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove(monitor.Id);
                _lastFinished[monitor.Id] = ++_finished;
                _slots.Release();
            }
            done.TrySetResult();
            StartWaiting();
        }
    }

    /// <summary>Runs the probe under a hard limit of the monitor's timeout plus a margin; null when shutting down.</summary>
    private async Task<CheckReport?> CheckAsync(Monitor monitor)
    {
        var limit = monitor.Timeout + _options.TimeoutMargin;
        using var timeout = new CancellationTokenSource(limit, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        try
        {
            return await _probe.CheckAsync(monitor, linked.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return new CheckReport { Ok = false, Message = $"check did not finish within {limit.TotalSeconds:0.#} s", DurationMs = (long)limit.TotalMilliseconds };
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Probe of monitor {Monitor} threw", monitor.Id);
            return new CheckReport { Ok = false, Message = $"check failed: {ex.Message}" };
        }
    }

    /// <summary>True when canaries are configured and every one of them fails; one verdict serves all checks for <see cref="ActiveCheckOptions.CanaryTtl"/>.</summary>
    private Task<bool> CanaryDownAsync()
    {
        if (_options.Canaries.Count == 0)
        {
            return Task.FromResult(false);
        }
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_canary is { } cached && now - cached.At < _options.CanaryTtl)
            {
                return cached.Down;
            }
            var down = AllCanariesFailAsync();
            _canary = (now, down);
            return down;
        }
    }

    private async Task<bool> AllCanariesFailAsync()
    {
        var reports = await Task.WhenAll(_options.Canaries.Select(CheckAsync));
        var down = reports.All(r => r is { Ok: false });
        if (down)
        {
            _logger.LogWarning("Every canary failed ({Reasons}): failed checks are recorded as unknown", string.Join("; ", reports.Select(r => r?.Message)));
        }
        return down;
    }

    public void Dispose()
    {
        _slots.Dispose();
        _stopping.Dispose();
    }
}
