using Microsoft.Extensions.Logging;

namespace Lifeline.Core;

/// <summary>Dispatcher settings; durations with their defaults in brackets.</summary>
public sealed record DispatchOptions
{
    /// <summary>
    /// How long a claimed notice is reserved for one sender [2 min]. At least twice
    /// <see cref="SendTimeout"/>, so a notice still in flight is never claimed a second time.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Most notices in flight at once, over all channels [32]; one channel never has more than one.</summary>
    public int MaxConcurrency { get; init; } = 32;
    /// <summary>Time limit of one attempt [10 s]; an attempt that runs out failed, and is retried with backoff.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the run loop looks for retries coming due when nothing wakes it [1 s].</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Base of links to monitors in notices, e.g. http://localhost:5080.</summary>
    public string? PublicUrl { get; init; }
    public RetryPolicy Retry { get; init; } = new();
    /// <summary>
    /// The grouping window of channels that do not set their own <c>groupSeconds</c> and whose kind
    /// groups by default [10 s]; zero turns grouping off (see <see cref="NoticeGrouping"/>).
    /// </summary>
    public TimeSpan GroupWindow { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Claims due notices from the outbox, sends each through its channel kind, and records the
/// outcome: sent, retry later with capped backoff, or dead. Delivery is at least once.
/// Each channel is a lane: the store hands out only a channel's oldest pending notice, and keeps
/// it leased while it is in flight, so a channel gets its notices one at a time and in order,
/// while a channel that hangs holds up nobody but itself. A storm of down (or up) notices to one
/// channel goes as one grouped notice (<see cref="NoticeGrouping"/>).
/// </summary>
public sealed class OutboxDispatcher
{
    private readonly IOutboxStore _outbox;
    private readonly Dictionary<string, INoticeChannel> _channels;
    private readonly TimeProvider _clock;
    private readonly DispatchOptions _options;
    private readonly DispatchSignal _signal;
    private readonly ILogger _logger;
    private readonly LifelineMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Task> _inFlight = [];
    private readonly NoticeGrouping _grouping;

    public OutboxDispatcher(IOutboxStore outbox, IEnumerable<INoticeChannel> channels, TimeProvider clock, DispatchOptions options, DispatchSignal signal, LifelineMetrics metrics, ILogger<OutboxDispatcher> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options.MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SendTimeout, TimeSpan.Zero, nameof(options.SendTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero, nameof(options.PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Lease, options.SendTimeout * 2, nameof(options.Lease));
        _outbox = outbox;
        _channels = channels.ToDictionary(c => c.Kind, StringComparer.OrdinalIgnoreCase);
        _clock = clock;
        _options = options;
        _signal = signal;
        _metrics = metrics;
        _logger = logger;
        _grouping = new NoticeGrouping(channel => NoticeGrouping.Window(channel, options.GroupWindow,
            !_channels.TryGetValue(channel.Kind, out var sender) || sender.GroupsByDefault));
    }

    /// <summary>Sends currently in flight.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Sends notices until <paramref name="stop"/>: a pass whenever a notice is planned or a send
    /// ends (both wake the <see cref="DispatchSignal"/>), and every
    /// <see cref="DispatchOptions.PollInterval"/> for retries coming due. Stopping cancels the sends
    /// still in flight and gives their notices back, so the next start sends them at once; this
    /// returns when all of them are settled.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await DispatchOnceAsync(stop);
                await WaitForWorkAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException)
            {
                // The store logs an outage once and /healthz tells it: no stack trace every second.
                await Task.Delay(_options.PollInterval, _clock, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Dispatch pass failed; trying again");
                await Task.Delay(_options.PollInterval, _clock, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await WhenIdleAsync();
    }

    /// <summary>
    /// One pass: claims as many due notices as there are free lanes and starts sending them, without
    /// waiting for the sends; returns how many it started. Each send wakes the signal when it ends.
    /// Not for concurrent callers: the run loop (or a test) makes one pass at a time.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        int free;
        lock (_gate)
        {
            free = _options.MaxConcurrency - _inFlight.Count;
        }
        if (free <= 0)
        {
            return 0;
        }
        var items = await _outbox.ClaimAsync(_clock.GetUtcNow(), _options.Lease, free, _grouping, ct);
        lock (_gate)
        {
            // Registered under the lock that the send's own removal takes, so a send that ends at
            // once is never registered after it was removed.
            foreach (var item in items)
            {
                _inFlight[item.Id] = Task.Run(() => LaneAsync(item, ct), CancellationToken.None);
            }
        }
        return items.Count;
    }

    /// <summary>Completes when no send is in flight (each has recorded its outcome or given its notice back).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] sends;
            lock (_gate)
            {
                sends = [.. _inFlight.Values];
            }
            if (sends.Length == 0)
            {
                return;
            }
            await Task.WhenAll(sends);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stop)
    {
        // The poll is a timer of the injected clock, so fake time drives retries in tests.
        using var poll = new CancellationTokenSource(_options.PollInterval, _clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, poll.Token);
        try
        {
            await _signal.WaitAsync(Timeout.InfiniteTimeSpan, either.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }

    private async Task LaneAsync(OutboxItem item, CancellationToken stop)
    {
        try
        {
            await DeliverAsync(item, stop);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Notice {DeliveryId} to channel {ChannelId}: its outcome could not be recorded; it is sent again once its lease ends",
                item.DeliveryId, item.ChannelId);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(item.Id);
            }
            // The lane is free (and the channel's next notice, if any, is now its oldest): look again at once.
            _signal.Wake();
        }
    }

    private async Task DeliverAsync(OutboxItem item, CancellationToken stop)
    {
        var attempt = item.Attempts + 1;
        var started = _clock.GetUtcNow();
        DeliveryOutcome outcome;
        if (item.Channel is null || !_channels.TryGetValue(item.Channel.Kind, out var sender))
        {
            outcome = new DeliveryOutcome(DeliveryState.Dead, started, item.Channel is null ? "channel was deleted" : $"no sender for channel kind '{item.Channel.Kind}'", null, null);
        }
        else
        {
            try
            {
                outcome = await SendAsync(sender, item, attempt, started, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopped mid-send: the notice goes back unclaimed and the attempt uncounted, so the
                // next start sends it at once (the receiver may have it already and dedupes by webhook-id).
                await _outbox.ReleaseAsync(item, CancellationToken.None);
                return;
            }
        }
        if (outcome.State == DeliveryState.Sent)
        {
            _metrics.NoticeSent(item.Grouped.Count + 1);
        }
        else
        {
            _metrics.NoticeFailed(item.Grouped.Count + 1);
            _logger.LogWarning("Notice {DeliveryId} to channel {ChannelId} ({Count} grouped) failed (attempt {Attempt}): {Error}; {Next}",
                DeliveryId(item), item.ChannelId, item.Grouped.Count + 1, attempt, outcome.Error,
                outcome.State == DeliveryState.Dead ? "giving up" : $"retrying at {outcome.RetryAt:O}");
        }
        await _outbox.CompleteAsync(item, outcome, CancellationToken.None);
    }

    private async Task<DeliveryOutcome> SendAsync(INoticeChannel sender, OutboxItem item, int attempt, DateTimeOffset started, CancellationToken stop)
    {
        var notice = item.Grouped.Count == 0 ? WithLink(item.Notice) : Notice.Grouped([.. item.Members.Select(m => WithLink(m.Notice))]);
        // The timeout is a timer of the injected clock, so tests move it with fake time.
        using var timeout = new CancellationTokenSource(_options.SendTimeout, _clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            // WaitAsync: a channel that ignores its token still frees the lane within the timeout,
            // well inside the lease, so the notice is never claimed twice at once.
            await sender.SendAsync(item.Channel!, notice, new NoticeDelivery(DeliveryId(item), attempt, started), either.Token).WaitAsync(either.Token);
            return new DeliveryOutcome(DeliveryState.Sent, _clock.GetUtcNow(), null, null, null);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            var failure = ex as DeliveryException;
            var now = _clock.GetUtcNow();
            var error = ex is OperationCanceledException ? $"timed out after {_options.SendTimeout.TotalSeconds:0.#} s without an answer" : ex.Message;
            if (failure?.Permanent == true)
            {
                return new DeliveryOutcome(DeliveryState.Dead, now, error, null, failure.StatusCode);
            }
            var retryAt = _options.Retry.NextAttempt(attempt, item.CreatedAt, now, failure?.RetryAfter);
            return retryAt is null
                ? new DeliveryOutcome(DeliveryState.Dead, now, $"{error} (gave up: notice older than {_options.Retry.MaxAge.TotalHours:0} h)", null, failure?.StatusCode)
                : new DeliveryOutcome(DeliveryState.Pending, now, error, retryAt, failure?.StatusCode);
        }
    }

    /// <summary>
    /// The delivery id of a send: the notice's own, or for a group its first notice's with the group's
    /// size. A group is the run of notices behind its first, so the same id means the same notices
    /// (a receiver deduping by webhook-id drops only true repeats).
    /// </summary>
    private static string DeliveryId(OutboxItem item) =>
        item.Grouped.Count == 0 ? item.DeliveryId : $"{item.DeliveryId}_g{item.Grouped.Count + 1}";

    private Notice WithLink(Notice notice)
    {
        if (notice.Monitor.Url is not null || string.IsNullOrEmpty(_options.PublicUrl) || notice.Monitor.Id.Length == 0)
        {
            return notice;
        }
        var link = $"{_options.PublicUrl.TrimEnd('/')}/#/monitors/{Uri.EscapeDataString(notice.Monitor.Id)}";
        return notice with { Monitor = notice.Monitor with { Url = link } };
    }
}
