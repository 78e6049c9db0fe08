namespace Lifeline.Channels;

/// <summary>
/// Spaces sends to one destination (a chat, a webhook) at least <c>interval</c> apart. A burst
/// waits for its slots instead of being dropped or rejected by the receiver. Thread-safe.
/// </summary>
public sealed class RateGate
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _nextFree = new(StringComparer.Ordinal);

    /// <param name="clock">Time source; waits are timers of this clock.</param>
    /// <param name="interval">Least time between two sends to one key; zero turns the gate off.</param>
    public RateGate(TimeProvider clock, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _clock = clock;
        _interval = interval;
    }

    /// <summary>Waits until <paramref name="key"/> may send again, and takes that slot.</summary>
    public Task WaitAsync(string key, CancellationToken ct)
    {
        if (_interval == TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
        TimeSpan wait;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            // Each caller reserves the next free slot under the lock, so concurrent callers queue
            // up one interval apart instead of all waking at the same instant.
            var slot = _nextFree.TryGetValue(key, out var free) && free > now ? free : now;
            _nextFree[key] = slot + _interval;
            wait = slot - now;
            if (_nextFree.Count > 1024)
            {
                Prune(now);
            }
        }
        return wait > TimeSpan.Zero ? Task.Delay(wait, _clock, ct) : Task.CompletedTask;
    }

    // Keys whose slot has passed carry no information any more. Called under the lock.
    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _nextFree.Where(e => e.Value <= now).Select(e => e.Key).ToList())
        {
            _nextFree.Remove(key);
        }
    }
}
