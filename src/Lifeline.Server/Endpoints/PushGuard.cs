using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// Limits what anonymous push clients can make the server do: how many unknown tokens one client
/// address may try (CONTRACT §2 has no auth, so the token is the secret), and one auto-creation at
/// a time so the monitor limit holds.
/// </summary>
/// <remarks>
/// Each 404 answer takes one permit from the client's bucket, which refills at
/// <see cref="LifelineOptions.PushNotFoundPerMinute"/> per minute up to that many. While the bucket is
/// empty the client's push requests answer 429 before reaching the store: all of them, whether the
/// token is good or not, or a 429 against a 200 would tell a guesser which tokens exist. The one
/// exception is a token the client has pushed to successfully since its first miss: it learns
/// nothing new from it, and a host whose one stale job keeps missing still reports for its other
/// jobs. A client that never misses has no bucket, and its pushes cost one read of a counter here.
/// IPv6 clients are counted by /64, as one host usually holds a whole /64. When more client
/// addresses have missed within a minute than can be tracked, the untracked ones share one bucket.
/// </remarks>
public sealed class PushGuard : IDisposable
{
    /// <summary>Most client addresses tracked at once; beyond that, new ones share one bucket.</summary>
    private const int MaxClients = 50_000;

    /// <summary>Most tokens remembered as used per client.</summary>
    private const int MaxKnownPerClient = 256;

    private readonly ConcurrentDictionary<ClientKey, Client> _clients = new();
    private readonly Client _overflow;
    private readonly TimeProvider _clock;
    private readonly int _perMinute;
    private readonly bool _loopback;
    private int _tracked;
    private long _lastPrune;

    public PushGuard(IOptions<LifelineOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _perMinute = options.Value.PushNotFoundPerMinute;
        _loopback = options.Value.RateLimitLoopback;
        _lastPrune = clock.GetTimestamp();
        _overflow = new Client { Permits = _perMinute, Stamp = _lastPrune };
    }

    /// <summary>Held while counting monitors and auto-creating one, so concurrent creations cannot pass the limit together.</summary>
    public SemaphoreSlim Creating { get; } = new(1, 1);

    /// <summary>
    /// Whether <paramref name="client"/> must be answered 429 now for a push to <paramref name="token"/>
    /// (a push token, or the ping key of a slug URL); if so, <paramref name="retryAfter"/> says when
    /// it may try again.
    /// </summary>
    public bool Refuses(IPAddress? client, ReadOnlySpan<char> token, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (Volatile.Read(ref _tracked) == 0 || !TryKey(client, out var key))
        {
            return false;
        }
        if (!_clients.TryGetValue(key, out var bucket))
        {
            if (Volatile.Read(ref _tracked) < MaxClients)
            {
                return false;
            }
            bucket = _overflow;
        }
        lock (bucket.Gate)
        {
            Refill(bucket);
            if (bucket.Permits >= 1 || bucket.Known?.GetAlternateLookup<ReadOnlySpan<char>>().Contains(token) == true)
            {
                return false;
            }
            retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((1 - bucket.Permits) * 60 / _perMinute)));
            return true;
        }
    }

    /// <summary>Counts a 404 answered to <paramref name="client"/>.</summary>
    public void Missed(IPAddress? client)
    {
        if (!TryKey(client, out var key))
        {
            return;
        }
        PruneNowAndThen();
        if (!_clients.TryGetValue(key, out var bucket))
        {
            if (Volatile.Read(ref _tracked) >= MaxClients)
            {
                bucket = _overflow;
            }
            else
            {
                var fresh = new Client { Permits = _perMinute, Stamp = _clock.GetTimestamp() };
                bucket = _clients.GetOrAdd(key, fresh);
                if (ReferenceEquals(bucket, fresh))
                {
                    Interlocked.Increment(ref _tracked);
                }
            }
        }
        lock (bucket.Gate)
        {
            Refill(bucket);
            bucket.Permits = Math.Max(0, bucket.Permits - 1);
        }
    }

    /// <summary>Remembers that <paramref name="client"/> pushed to <paramref name="token"/> successfully, if it has missed before.</summary>
    public void Succeeded(IPAddress? client, ReadOnlySpan<char> token)
    {
        if (Volatile.Read(ref _tracked) == 0 || !TryKey(client, out var key) || !_clients.TryGetValue(key, out var bucket))
        {
            return;
        }
        lock (bucket.Gate)
        {
            bucket.Known ??= new HashSet<string>(StringComparer.Ordinal);
            var known = bucket.Known.GetAlternateLookup<ReadOnlySpan<char>>();
            if (bucket.Known.Count < MaxKnownPerClient && !known.Contains(token))
            {
                known.Add(token);
            }
        }
    }

    public void Dispose() => Creating.Dispose();

    private bool TryKey(IPAddress? client, out ClientKey key)
    {
        key = default;
        if (_perMinute == 0 || client is null || (!_loopback && IPAddress.IsLoopback(client)))
        {
            return false;
        }
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        Span<byte> bytes = stackalloc byte[16];
        if (!client.TryWriteBytes(bytes, out var written))
        {
            return false;
        }
        key = written == 4
            ? new ClientKey(0, BinaryPrimitives.ReadUInt32BigEndian(bytes))
            : new ClientKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), ulong.MaxValue);
        return true;
    }

    private void Refill(Client bucket)
    {
        var now = _clock.GetTimestamp();
        var minutes = _clock.GetElapsedTime(bucket.Stamp, now).TotalMinutes;
        bucket.Permits = Math.Min(_perMinute, bucket.Permits + (minutes * _perMinute));
        bucket.Stamp = now;
    }

    /// <summary>Once a minute, forgets clients whose bucket is full again: they are limited no more than a new one.</summary>
    private void PruneNowAndThen()
    {
        var last = Volatile.Read(ref _lastPrune);
        var now = _clock.GetTimestamp();
        if (_clock.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1) || Interlocked.CompareExchange(ref _lastPrune, now, last) != last)
        {
            return;
        }
        foreach (var (key, bucket) in _clients)
        {
            bool full;
            lock (bucket.Gate)
            {
                Refill(bucket);
                full = bucket.Permits >= _perMinute;
            }
            // A miss counted on this bucket between the check and the removal is lost: one permit, once.
            if (full && _clients.TryRemove(new KeyValuePair<ClientKey, Client>(key, bucket)))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    private readonly record struct ClientKey(ulong High, ulong Low);

    private sealed class Client
    {
        public readonly Lock Gate = new();
        public double Permits;
        public long Stamp;
        public HashSet<string>? Known;
    }
}
