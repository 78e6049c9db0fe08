using Microsoft.Extensions.Logging;

namespace Lifeline.Core;

/// <summary>Dispatcher settings; durations with their defaults in brackets.</summary>
public sealed record DispatchOptions
{
    /// <summary>How long a claimed notice is reserved for one sender [2 min].</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Most notices claimed per pass [64].</summary>
    public int Batch { get; init; } = 64;
    /// <summary>Time limit of one send [30 s].</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Base of links to monitors in notices, e.g. http://localhost:5080.</summary>
    public string? PublicUrl { get; init; }
    public RetryPolicy Retry { get; init; } = new();
}

/// <summary>
/// Claims due notices from the outbox, sends each through its channel kind, and records the
/// outcome: sent, retry later with capped backoff, or dead. Delivery is at least once.
/// </summary>
public sealed class OutboxDispatcher
{
    private readonly IOutboxStore _outbox;
    private readonly Dictionary<string, INoticeChannel> _channels;
    private readonly TimeProvider _clock;
    private readonly DispatchOptions _options;
    private readonly ILogger _logger;
    private readonly LifelineMetrics _metrics;

    public OutboxDispatcher(IOutboxStore outbox, IEnumerable<INoticeChannel> channels, TimeProvider clock, DispatchOptions options, LifelineMetrics metrics, ILogger<OutboxDispatcher> logger)
    {
        _outbox = outbox;
        _channels = channels.ToDictionary(c => c.Kind, StringComparer.OrdinalIgnoreCase);
        _clock = clock;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>One pass; returns true when it claimed a full batch, so more work may be waiting.</summary>
    public async Task<bool> DispatchOnceAsync(CancellationToken ct)
    {
        var items = await _outbox.ClaimAsync(_clock.GetUtcNow(), _options.Lease, _options.Batch, ct);
        if (items.Count == 0)
        {
            return false;
        }
        // Claimed items belong to different channels, so they can go out side by side.
        await Task.WhenAll(items.Select(item => DeliverAsync(item, ct)));
        return true;
    }

    private async Task DeliverAsync(OutboxItem item, CancellationToken ct)
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
            outcome = await SendAsync(sender, item, attempt, started, ct);
        }
        if (outcome.State == DeliveryState.Sent)
        {
            _metrics.NoticeSent();
        }
        else
        {
            _metrics.NoticeFailed();
            _logger.LogWarning("Notice {DeliveryId} to channel {ChannelId} failed (attempt {Attempt}): {Error}; {Next}",
                item.DeliveryId, item.ChannelId, attempt, outcome.Error,
                outcome.State == DeliveryState.Dead ? "giving up" : $"retrying at {outcome.RetryAt:O}");
        }
        await _outbox.CompleteAsync(item, outcome, CancellationToken.None);
    }

    private async Task<DeliveryOutcome> SendAsync(INoticeChannel sender, OutboxItem item, int attempt, DateTimeOffset started, CancellationToken ct)
    {
        var notice = WithLink(item.Notice);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            await sender.SendAsync(item.Channel!, notice, new NoticeDelivery(item.DeliveryId, attempt, started), timeout.Token);
            return new DeliveryOutcome(DeliveryState.Sent, _clock.GetUtcNow(), null, null, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var failure = ex as DeliveryException;
            var now = _clock.GetUtcNow();
            var error = ex is OperationCanceledException ? $"timed out after {_options.SendTimeout.TotalSeconds:0} s" : ex.Message;
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
