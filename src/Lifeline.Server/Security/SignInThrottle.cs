using Microsoft.Extensions.Options;

namespace Lifeline.Server.Security;

/// <summary>
/// Refuses sign-ins after <see cref="LifelineOptions.SignInFailures"/> failures within
/// <see cref="LifelineOptions.SignInWindowSeconds"/>, counted per client address and per username
/// (so neither many passwords for one user nor one address trying many users gets far). Kept in
/// this node's memory: in a cluster each node counts its own.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock, IOptions<LifelineOptions> options)
{
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _limit = options.Value.SignInFailures;
    private readonly TimeSpan _window = TimeSpan.FromSeconds(options.Value.SignInWindowSeconds);

    /// <summary>How long until a sign-in from <paramref name="address"/> as <paramref name="username"/> may be tried again; null when it may now.</summary>
    public TimeSpan? RetryAfter(string address, string username)
    {
        if (_limit == 0)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var wait = new[] { AddressKey(address), UserKey(username) }
                .Select(key => _failures.TryGetValue(key, out var times) && Recent(times, now) >= _limit ? times.Peek() + _window - now : TimeSpan.Zero)
                .Max();
            return wait > TimeSpan.Zero ? wait : null;
        }
    }

    public void Failed(string address, string username)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count > 100_000)
            {
                // Bounded memory under a flood: forget the keys with nothing recent.
                foreach (var key in _failures.Where(f => Recent(f.Value, now) == 0).Select(f => f.Key).ToList())
                {
                    _failures.Remove(key);
                }
            }
            foreach (var key in new[] { AddressKey(address), UserKey(username) })
            {
                if (!_failures.TryGetValue(key, out var times))
                {
                    _failures[key] = times = new Queue<DateTimeOffset>();
                }
                times.Enqueue(now);
                Recent(times, now);
            }
        }
    }

    /// <summary>A successful sign-in clears the failures of its address and username.</summary>
    public void Succeeded(string address, string username)
    {
        lock (_lock)
        {
            _failures.Remove(AddressKey(address));
            _failures.Remove(UserKey(username));
        }
    }

    /// <summary>Drops failures older than the window; returns how many are left.</summary>
    private int Recent(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && times.Peek() + _window <= now)
        {
            times.Dequeue();
        }
        return times.Count;
    }

    private static string AddressKey(string address) => "a:" + address;

    private static string UserKey(string username) => "u:" + User.KeyOf(username);
}
