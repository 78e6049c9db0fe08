using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Config;

/// <summary>
/// Applies the config file (<c>Lifeline:Config</c>) at start, where any problem stops the start, and
/// again whenever it changes: a watcher on its folder notices edits (after a short quiet time, as
/// editors write in steps), and the file is read again every <c>ConfigRereadSeconds</c> in case a
/// change went unnoticed (network file systems, some container mounts). A file with problems while
/// running is reported in the log, every problem with its place, and the last good state stays.
/// </summary>
internal sealed partial class ConfigWorker(IOptions<LifelineOptions> options, ConfigApplier applier, TimeProvider clock, ILogger<ConfigWorker> log) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource _changed = NewSignal();
    /// <summary>The text last applied without a problem; the same text again is not applied again.</summary>
    private string? _applied;
    private bool _startApplied;

    /// <summary>
    /// Applies the file once the store is open and before the server takes requests (<c>serve</c> calls
    /// it before the host starts, so a bad file is one plain message); throws
    /// <see cref="ConfigFileException"/> with every problem. Without a config file, does nothing.
    /// </summary>
    public async Task ApplyAtStartAsync(CancellationToken ct)
    {
        if (_startApplied || options.Value.Config is not { Length: > 0 } path)
        {
            return;
        }
        var outcome = await ApplyAsync(path, logProblems: false, ct);
        if (!outcome.Applied)
        {
            throw new ConfigFileException(outcome.Problems);
        }
        _startApplied = true;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Config is not { Length: > 0 } path)
        {
            return;
        }
        await ApplyAtStartAsync(cancellationToken);
        var full = Path.GetFullPath(path);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => _changed.TrySetResult();
        _watcher.Created += (_, _) => _changed.TrySetResult();
        _watcher.Renamed += (_, _) => _changed.TrySetResult();
        _watcher.Deleted += (_, _) => _changed.TrySetResult();
        _watcher.EnableRaisingEvents = true;
        _loop = WatchAsync(path, _stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _watcher?.Dispose();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _stopping.Dispose();
    }

    private async Task WatchAsync(string path, CancellationToken ct)
    {
        var reread = TimeSpan.FromSeconds(options.Value.ConfigRereadSeconds);
        var quiet = TimeSpan.FromMilliseconds(options.Value.ConfigDebounceMs);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await WaitAsync(reread, ct))
                {
                    // Changes come in bursts: apply once the file has been quiet for a moment.
                    while (await WaitAsync(quiet, ct))
                    {
                    }
                }
                await ApplyAsync(path, logProblems: true, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store outage: tried again at the next change or re-read.
                _applied = null;
                LogFailed(log, path, ex);
            }
        }
    }

    /// <summary>Waits for a change of the file or for <paramref name="time"/>; true when the file changed.</summary>
    private async Task<bool> WaitAsync(TimeSpan time, CancellationToken ct)
    {
        var signal = _changed;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(time, clock, timeout.Token);
        var first = await Task.WhenAny(signal.Task, delay);
        await timeout.CancelAsync();
        ct.ThrowIfCancellationRequested();
        if (first != signal.Task)
        {
            return false;
        }
        Interlocked.CompareExchange(ref _changed, NewSignal(), signal);
        return true;
    }

    /// <param name="logProblems">False at start, where the problems stop the start and are told once, by the caller.</param>
    private async Task<ConfigOutcome> ApplyAsync(string path, bool logProblems, CancellationToken ct)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var problem = $"{path}: cannot read the config file: {ex.Message}";
            if (logProblems)
            {
                LogProblem(log, problem);
            }
            return new ConfigOutcome([problem], 0, 0, 0);
        }
        if (text == _applied)
        {
            return new ConfigOutcome([], 0, 0, 0);
        }
        var (document, problems) = ConfigReader.Read(path, text);
        var outcome = problems.Count > 0 || document is null
            ? new ConfigOutcome(problems, 0, 0, 0)
            : await applier.ApplyAsync(path, document, ct);
        if (outcome.Applied)
        {
            _applied = text;
            LogApplied(log, path, outcome.Created, outcome.Changed, outcome.Deleted);
        }
        else if (logProblems)
        {
            foreach (var problem in outcome.Problems)
            {
                LogProblem(log, problem);
            }
            LogKept(log, path, outcome.Problems.Count);
        }
        return outcome;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "config file {Path}: {Count} problem(s); the last good state is kept")]
    private static partial void LogKept(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "config file {Path} applied: {Created} created, {Changed} changed, {Deleted} deleted")]
    private static partial void LogApplied(ILogger logger, string path, int created, int changed, int deleted);

    [LoggerMessage(Level = LogLevel.Error, Message = "config file {Path} could not be applied; trying again at the next change")]
    private static partial void LogFailed(ILogger logger, string path, Exception exception);
}
