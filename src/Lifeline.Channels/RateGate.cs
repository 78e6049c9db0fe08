namespace Lifeline.Channels;

/// <summary>
/// Spaces sends to one destination (a chat, a webhook) at least an interval apart. A burst waits
/// for its slots instead of being dropped or rejected by the receiver. A wait that is cancelled
/// (the dispatcher's send timeout) gives its slot back, so abandoned waits never delay the next
/// senders. Thread-safe.
/// </summary>
public sealed class RateGate
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <param name="clock">Time source; waits are timers of this clock.</param>
    /// <param name="interval">Default least time between two sends to one key; zero turns the gate off.</param>
    public RateGate(TimeProvider clock, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _clock = clock;
        _interval = interval;
    }

    /// <summary>Waits until <paramref name="key"/> may send again, and takes that slot.</summary>
    public Task WaitAsync(string key, CancellationToken ct) => WaitAsync(key, _interval, ct);

    /// <summary>As <see cref="WaitAsync(string, CancellationToken)"/>, with this key's own interval.</summary>
    public Task WaitAsync(string key, TimeSpan interval, CancellationToken ct)
    {
        if (interval <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
        Lane lane;
        DateTimeOffset slot, now;
        lock (_gate)
        {
            now = _clock.GetUtcNow();
            if (!_lanes.TryGetValue(key, out lane!))
            {
                if (_lanes.Count >= 1024)
                {
                    Prune(now);
                }
                lane = new Lane();
                _lanes[key] = lane;
            }
            slot = lane.Take(now, interval);
        }
        return slot <= now ? Task.CompletedTask : WaitForSlotAsync(lane, slot, slot - now, interval, ct);
    }

    private Task WaitForSlotAsync(Lane lane, DateTimeOffset slot, TimeSpan wait, TimeSpan interval, CancellationToken ct)
    {
        // The delay task is handed out as it is: it completes on the thread that fires the timer,
        // exactly when the clock reaches the slot.
        var delay = Task.Delay(wait, _clock, ct);
        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() =>
            {
                lock (_gate)
                {
                    lane.GiveBack(slot, interval, _clock.GetUtcNow());
                }
            });
            delay.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return delay;
    }

    // Lanes whose every slot has passed carry no information any more. Called under the lock.
    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _lanes.Where(e => e.Value.NextFree <= now).Select(e => e.Key).ToList())
        {
            _lanes.Remove(key);
        }
    }

    /// <summary>The reserved slots of one key: everything before <see cref="NextFree"/> is taken, except the slots given back.</summary>
    private sealed class Lane
    {
        private readonly SortedSet<DateTimeOffset> _givenBack = [];

        public DateTimeOffset NextFree { get; private set; } = DateTimeOffset.MinValue;

        public DateTimeOffset Take(DateTimeOffset now, TimeSpan interval)
        {
            // A slot given back in the past would now sit too close to the slots around it.
            _givenBack.RemoveWhere(s => s < now);
            if (_givenBack.Count > 0)
            {
                var earliest = _givenBack.Min;
                _givenBack.Remove(earliest);
                return earliest;
            }
            var slot = NextFree > now ? NextFree : now;
            NextFree = slot + interval;
            return slot;
        }

        public void GiveBack(DateTimeOffset slot, TimeSpan interval, DateTimeOffset now)
        {
            // A slot already reached was used: its sender went ahead before the cancellation came.
            if (slot <= now)
            {
                return;
            }
            _givenBack.Add(slot);
            // Slots given back at the end of the queue simply shorten it.
            while (_givenBack.Count > 0 && _givenBack.Max == NextFree - interval)
            {
                NextFree -= interval;
                _givenBack.Remove(_givenBack.Max);
            }
        }
    }
}
