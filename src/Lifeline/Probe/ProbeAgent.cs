using System.Text.Json;
using System.Threading.Channels;
using Lifeline.Core.Probes;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Probe;

/// <summary>
/// <c>lifeline probe</c> at work: enrols once (or reuses the saved credential), then four loops run
/// until stopped. The poll loop long-polls the assignments; the dispatch loop starts each check when
/// it is due, at most <see cref="ProbeSettings.Concurrency"/> at a time, with the same check code as
/// the server; the write loop appends results to the on-disk spool; the send loop delivers the
/// spool's batches oldest first and deletes each only once the server stored it.
/// </summary>
internal sealed class ProbeAgent : IDisposable
{
    /// <summary>Stopped by a signal or the caller.</summary>
    public const int Stopped = 0;

    /// <summary>No credential saved and no enrol token given.</summary>
    public const int InvalidArguments = 1;

    /// <summary>The enrol token or the saved credential was refused, or the credential file is unreadable.</summary>
    public const int InvalidCredential = 2;

    private readonly ProbeSettings _settings;
    private readonly IActiveProbe _checks;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<double> _random;
    private readonly ProbeApi _api;
    private readonly CheckSchedule _schedule = new();
    private readonly Channel<ProbeResult> _results = Channel.CreateUnbounded<ProbeResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _spooled = new(0, 1);
    private CancellationTokenSource _assignmentsChanged = new();
    private ServerLink _link = null!;
    private ResultSpool _spool = null!;
    private volatile bool _refused;

    public ProbeAgent(ProbeSettings settings, IActiveProbe checks, HttpClient http, TimeProvider time, ILogger log, Func<double>? random = null)
    {
        _settings = settings;
        _checks = checks;
        _time = time;
        _log = log;
        _random = random ?? Random.Shared.NextDouble;
        _api = new ProbeApi(http, settings.Server, time);
    }

    /// <summary>The schedule, for tests.</summary>
    internal CheckSchedule Schedule => _schedule;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(_settings.Spool);
        using var spool = new ResultSpool(_settings.ResultsPath, _settings.SpoolMaxBytes, _settings.BatchSize, _log);
        _spool = spool;
        _link = new ServerLink(_time, _log, () => spool.Pending);

        EnrollAnswer? enrolment;
        try
        {
            enrolment = CredentialFile.Load(_settings.CredentialPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _log.LogError("Cannot read the credential: {Message}", ex.Message);
            return InvalidCredential;
        }
        if (enrolment is null)
        {
            if (string.IsNullOrWhiteSpace(_settings.Token))
            {
                _log.LogError("Not enrolled yet: no credential in {Path}. Give --token <enroll token> (from POST /api/v1/locations) for the first start.", _settings.CredentialPath);
                return InvalidArguments;
            }
            try
            {
                enrolment = await EnrollAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                enrolment = null;
            }
            if (enrolment is null)
            {
                return _refused ? InvalidCredential : Stopped;
            }
        }
        else
        {
            _log.LogInformation("Probe {Probe} at location {Location} ({LocationId}), credential from {Path}.", enrolment.Probe, enrolment.Location.Name, enrolment.Location.Id, _settings.CredentialPath);
        }
        _api.Credential = enrolment.Credential;
        if (spool.Pending > 0)
        {
            _log.LogInformation("{Pending} result(s) from an earlier run wait in the spool; sending them first.", spool.Pending);
        }

        var cached = LoadCachedAssignments();
        if (cached is not null)
        {
            _schedule.Update(cached.Checks, _time.GetUtcNow());
            _log.LogInformation("Running the {Count} check(s) last assigned (version {Version}) until the server answers.", cached.Checks.Count, cached.Version);
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var gate = new SemaphoreSlim(_settings.Concurrency, _settings.Concurrency);
        var writer = Task.Run(() => WriteLoopAsync(), CancellationToken.None);
        var loops = new[]
        {
            UntilStoppedAsync(() => PollLoopAsync(cached?.Version ?? "", running), running.Token),
            UntilStoppedAsync(() => DispatchLoopAsync(gate, running.Token), running.Token),
            UntilStoppedAsync(() => SendLoopAsync(running), running.Token),
        };
        await Task.WhenAll(loops);

        // Let the checks that were running finish (they were cancelled) so what they found is kept.
        for (var i = 0; i < _settings.Concurrency; i++)
        {
            await gate.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        _results.Writer.TryComplete();
        await writer;
        if (_refused)
        {
            _log.LogError("The server refused this probe's credential (revoked, or rotated elsewhere). Remove {Path} and start again with a new --token.", _settings.CredentialPath);
            return InvalidCredential;
        }
        _log.LogInformation("Stopped; {Pending} result(s) left in the spool for the next start.", spool.Pending);
        return Stopped;
    }

    /// <summary>Runs a loop on the thread pool; a call cut short by the stop is the normal way out.</summary>
    private static Task UntilStoppedAsync(Func<Task> loop, CancellationToken stop) =>
        Task.Run(async () =>
        {
            try
            {
                await loop();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped.
            }
        }, CancellationToken.None);

    private async Task<EnrollAnswer?> EnrollAsync(CancellationToken stop)
    {
        var backoff = new Backoff(_settings.RetryFirst, _settings.RetryMax, _random);
        var request = new EnrollRequest(_settings.Token!.Trim(), _settings.Name);
        while (!stop.IsCancellationRequested)
        {
            var answer = await _api.EnrollAsync(request, _settings.CallTimeout, stop).ConfigureAwait(false);
            switch (answer.Result)
            {
                case CallResult.Ok:
                    _link.Reached();
                    CredentialFile.Save(_settings.CredentialPath, answer.Value!);
                    _log.LogInformation("Enrolled as probe {Probe} at location {Location} ({LocationId}); credential saved to {Path}.", answer.Value!.Probe, answer.Value.Location.Name, answer.Value.Location.Id, _settings.CredentialPath);
                    return answer.Value;
                case CallResult.Refused or CallResult.Rejected:
                    _refused = true;
                    _log.LogError("The server refused the enrol token ({Message}): it was already used or is unknown. Ask for a new one (POST /api/v1/locations).", answer.Message);
                    return null;
                default:
                    _link.Failed(answer.Message);
                    await DelayAsync(backoff.Next(), stop);
                    break;
            }
        }
        return null;
    }

    private async Task PollLoopAsync(string version, CancellationTokenSource running)
    {
        var stop = running.Token;
        var backoff = new Backoff(_settings.RetryFirst, _settings.RetryMax, _random);
        while (!stop.IsCancellationRequested)
        {
            var answer = await _api.PollAsync(version, _settings.PollWait, _settings.CallTimeout, stop);
            switch (answer.Result)
            {
                case CallResult.Ok:
                    _link.Reached();
                    var assignments = answer.Value!;
                    backoff.First = assignments.RetrySeconds > 0 ? TimeSpan.FromSeconds(assignments.RetrySeconds) : _settings.RetryFirst;
                    backoff.Reset();
                    var before = _schedule.Count;
                    _schedule.Update(assignments.Checks, _time.GetUtcNow());
                    SaveCachedAssignments(assignments);
                    WakeDispatcher();
                    if (assignments.Checks.Count != before || version.Length == 0)
                    {
                        _log.LogInformation("{Count} check(s) assigned at location {Location} (version {Version}).", assignments.Checks.Count, assignments.Location.Name, assignments.Version);
                    }
                    version = assignments.Version;
                    break;
                case CallResult.NotModified:
                    _link.Reached();
                    backoff.Reset();
                    break;
                case CallResult.Refused:
                    _refused = true;
                    await running.CancelAsync();
                    return;
                default:
                    _link.Failed(answer.Message);
                    await DelayAsync(backoff.Next(), stop);
                    break;
            }
        }
    }

    private async Task DispatchLoopAsync(SemaphoreSlim gate, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var changed = _assignmentsChanged.Token;
            foreach (var check in _schedule.TakeDue(_time.GetUtcNow()))
            {
                try
                {
                    await gate.WaitAsync(stop);
                }
                catch (OperationCanceledException)
                {
                    _schedule.Finished(check.Id);
                    return;
                }
                _ = Task.Run(() => RunCheckAsync(check, gate, stop), CancellationToken.None);
            }
            var now = _time.GetUtcNow();
            var wait = _schedule.NextDue is { } due ? due - now : Timeout.InfiniteTimeSpan;
            if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero)
            {
                continue;
            }
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop, changed);
            try
            {
                await Task.Delay(wait, _time, wake.Token);
            }
            catch (OperationCanceledException)
            {
                // New assignments (look again) or stop (the loop condition ends it).
            }
        }
    }

    private async Task RunCheckAsync(ProbeCheck check, SemaphoreSlim gate, CancellationToken stop)
    {
        try
        {
            var monitor = ProbeChecks.ToMonitor(check);
            CheckReport report;
            if (monitor is null)
            {
                report = new CheckReport { Ok = false, Message = $"this probe cannot run checks of kind '{check.Kind}' (a newer lifeline may)" };
            }
            else
            {
                try
                {
                    report = await _checks.CheckAsync(monitor, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    report = new CheckReport { Ok = false, Message = $"the check failed to run: {ex.Message}" };
                }
            }
            _results.Writer.TryWrite(new ProbeResult
            {
                Monitor = check.Id,
                At = _time.GetUtcNow(),
                Ok = report.Ok,
                Message = report.Message,
                DurationMs = report.DurationMs,
                Conditions = report.Conditions,
                CertificateExpiresAt = report.CertificateExpiresAt,
            });
        }
        finally
        {
            _schedule.Finished(check.Id);
            gate.Release();
        }
    }

    // Runs until the results channel is completed at stop, so every result found is written.
    private async Task WriteLoopAsync()
    {
        var reader = _results.Reader;
        var pending = new List<ProbeResult>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (pending.Count < 1000 && reader.TryRead(out var result))
            {
                pending.Add(result);
            }
            try
            {
                _spool.Append(pending);
            }
            catch (IOException ex)
            {
                _log.LogError("Cannot write {Count} result(s) to the spool: {Message}", pending.Count, ex.Message);
            }
            pending.Clear();
            if (_spooled.CurrentCount == 0)
            {
                try
                {
                    _spooled.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already signalled.
                }
            }
        }
    }

    private async Task SendLoopAsync(CancellationTokenSource running)
    {
        var stop = running.Token;
        var backoff = new Backoff(_settings.RetryFirst, _settings.RetryMax, _random);
        while (!stop.IsCancellationRequested)
        {
            var batch = _spool.NextBatch();
            if (batch is null)
            {
                try
                {
                    await _spooled.WaitAsync(stop);
                    // Results come in bursts: wait a moment so the ones right behind travel in the same batch.
                    await Task.Delay(_settings.FlushDelay, _time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            var answer = await _api.SendAsync(new ResultBatch(batch.Id, batch.Results), _settings.CallTimeout, stop);
            switch (answer.Result)
            {
                case CallResult.Ok:
                    _spool.Delivered(batch);
                    _link.Reached();
                    backoff.Reset();
                    break;
                case CallResult.Refused:
                    _refused = true;
                    await running.CancelAsync();
                    return;
                case CallResult.Rejected:
                    _log.LogWarning("The server rejected batch {Batch} of {Count} result(s) ({Message}); dropping it.", batch.Id, batch.Results.Count, answer.Message);
                    _spool.Delivered(batch);
                    break;
                default:
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    _link.Failed(answer.Message);
                    await DelayAsync(backoff.Next(), stop);
                    break;
            }
        }
    }

    private void WakeDispatcher()
    {
        var old = Interlocked.Exchange(ref _assignmentsChanged, new CancellationTokenSource());
        // Not disposed: the dispatcher may be reading its token right now; a plain source holds no timer.
        old.Cancel();
    }

    private async Task DelayAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, _time, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private Assignments? LoadCachedAssignments()
    {
        try
        {
            return File.Exists(_settings.AssignmentsPath)
                ? JsonSerializer.Deserialize(File.ReadAllText(_settings.AssignmentsPath), ProbeJson.Default.Assignments)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            _log.LogWarning("Ignoring the cached assignments in {Path}: {Message}", _settings.AssignmentsPath, ex.Message);
            return null;
        }
    }

    private void SaveCachedAssignments(Assignments assignments)
    {
        try
        {
            var temporary = _settings.AssignmentsPath + ".new";
            File.WriteAllText(temporary, JsonSerializer.Serialize(assignments, ProbeJson.Default.Assignments));
            File.Move(temporary, _settings.AssignmentsPath, overwrite: true);
        }
        catch (IOException ex)
        {
            _log.LogWarning("Cannot cache the assignments in {Path}: {Message}", _settings.AssignmentsPath, ex.Message);
        }
    }

    public void Dispose()
    {
        _spooled.Dispose();
        _assignmentsChanged.Dispose();
    }
}
