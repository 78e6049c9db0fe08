using Lifeline.Client.Push;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Client.Hosting;

/// <summary>
/// Sends a signal every <see cref="Interval"/> until cancelled. Beats follow a fixed schedule
/// (the first at once, then start + n × interval), so slow requests or checks never make the
/// beats drift; a beat whose time has already passed when the previous one finishes is skipped.
/// Each beat retries within three quarters of the interval. A failure is logged once when it
/// starts and once when it ends, not on every beat or retry.
/// </summary>
public sealed class Heartbeat
{
    private readonly Func<CancellationToken, Task<PushRequest>> _nextRequest;
    private readonly IPushSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _failure;
    private int _failedBeats;

    /// <param name="name">What logs call this heartbeat.</param>
    /// <param name="interval">Time between beats; at least one second.</param>
    /// <param name="nextRequest">Builds each beat's request (for example after running a local check).</param>
    /// <param name="sender">Sends with retries.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where failures and recoveries are logged.</param>
    public Heartbeat(string name, TimeSpan interval, Func<CancellationToken, Task<PushRequest>> nextRequest, IPushSender sender, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        Name = name;
        Interval = interval;
        _nextRequest = nextRequest ?? throw new ArgumentNullException(nameof(nextRequest));
        _sender = sender ?? throw new ArgumentNullException(nameof(sender));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A plain heartbeat: "up" to <paramref name="pushUrl"/> on every beat.</summary>
    public static Heartbeat Plain(Uri pushUrl, TimeSpan interval, IPushSender sender, TimeProvider? time = null, ILogger? logger = null)
    {
        var request = PushRequests.Signal(pushUrl, PushSignal.Ok);
        return new Heartbeat(pushUrl.Host, interval, _ => Task.FromResult(request), sender, time, logger);
    }

    /// <summary>What logs call this heartbeat.</summary>
    public string Name { get; }

    /// <summary>Time between scheduled beats.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Beats acknowledged by the server so far.</summary>
    public int Delivered { get; private set; }

    /// <summary>Beats until <paramref name="cancellationToken"/> fires, then returns without throwing.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var next = _time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await WaitUntilAsync(next, cancellationToken);
                await BeatAsync(cancellationToken);

                // The next beat is due one interval after this one was scheduled, not after it ended.
                next += Interval;
                var now = _time.GetUtcNow();
                if (next < now)
                {
                    var behind = (now - next).Ticks / Interval.Ticks + 1;
                    next += Interval * behind;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
    }

    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = _time.GetUtcNow();
            if (due <= before)
            {
                return;
            }
            using var armed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(due - before, _time, armed.Token);

            // The timer counts from when it was armed. If the clock jumped while it was being armed
            // (a suspended machine, a test clock), it would fire late: arm it again from the new time.
            if (_time.GetUtcNow() - before > TimeSpan.FromMilliseconds(100))
            {
                await armed.CancelAsync();
                continue;
            }
            await delay;
            return;
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        PushResult result;
        try
        {
            var request = await _nextRequest(cancellationToken);
            result = await _sender.SendAsync(request, Interval * 3 / 4, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = new PushResult(PushOutcome.Unreachable, null, ex.Message, 0, null);
        }

        if (result.Acknowledged)
        {
            Delivered++;
            if (_failure is not null)
            {
                _logger.LogInformation("Heartbeat {Name}: delivered again after {Failed} failed beat(s).", Name, _failedBeats);
            }
            _failure = null;
            _failedBeats = 0;
            return;
        }

        _failedBeats++;
        if (_failure != result.Message)
        {
            _logger.LogWarning("Heartbeat {Name}: not delivered ({Outcome}): {Message}. Still beating every {Seconds} s.", Name, result.Outcome, result.Message, Interval.TotalSeconds);
            _failure = result.Message;
        }
    }
}
