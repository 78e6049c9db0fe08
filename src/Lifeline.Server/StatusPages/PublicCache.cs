using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.StatusPages;

/// <summary>
/// One rendered public response: its bytes (and gzipped, once, for clients that take it), their
/// ETag, when they were made and the monitor states they show.
/// </summary>
internal sealed record Rendered(byte[] Body, byte[] Gzipped, string ContentType, string ETag, DateTimeOffset BuiltAt, IReadOnlyDictionary<string, MonitorStatus> Shows)
{
    public static Rendered Of(byte[] body, string contentType, DateTimeOffset at, IReadOnlyDictionary<string, MonitorStatus> shows) =>
        new(body, Gzip(body), contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(body), 0, 12) + "\"", at, shows);

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(body);
        }
        return buffer.ToArray();
    }
}

/// <summary>
/// "Cache the status, serve the cache": public pages and badges are rendered once and served as
/// bytes. An entry is made again when it is older than <see cref="LifelineOptions.StatusPageCacheSeconds"/>
/// (so changes made on other nodes show), when a monitor it shows changes state here
/// (<see cref="StatusWatch"/>), or when its page or notes are edited (<see cref="Forget"/>).
/// Concurrent requests for a missing entry wait for one rendering. Misses (unknown slugs or keys)
/// are not kept.
/// </summary>
internal sealed class PublicCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Rendered?>>> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byMonitor = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxAge;

    public PublicCache(TimeProvider clock, IOptions<LifelineOptions> options, StatusWatch watch)
    {
        _clock = clock;
        _maxAge = TimeSpan.FromSeconds(options.Value.StatusPageCacheSeconds);
        watch.Listen(Saw);
    }

    public async Task<Rendered?> GetAsync(string key, Func<Task<Rendered?>> render)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(key, _ => new Lazy<Task<Rendered?>>(render));
            Rendered? rendered;
            try
            {
                rendered = await entry.Value;
            }
            catch
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
                throw;
            }
            if (rendered is null)
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
                return null;
            }
            if (_clock.GetUtcNow() - rendered.BuiltAt < _maxAge)
            {
                Watch(key, rendered);
                return rendered;
            }
            // Too old: drop it (unless another request already did) and render again.
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    /// <summary>Drops every entry whose key starts with <paramref name="prefix"/>.</summary>
    public void Forget(string prefix)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private void Watch(string key, Rendered rendered)
    {
        foreach (var id in rendered.Shows.Keys)
        {
            _byMonitor.GetOrAdd(id, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).TryAdd(key, 0);
        }
    }

    /// <summary>On the signal path: one dictionary miss for a monitor no cached entry shows.</summary>
    private void Saw(Monitor monitor)
    {
        if (!_byMonitor.TryGetValue(monitor.Id, out var keys))
        {
            return;
        }
        foreach (var key in keys.Keys)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                keys.TryRemove(key, out _);
                continue;
            }
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result is { } rendered)
            {
                if (!rendered.Shows.TryGetValue(monitor.Id, out var shown))
                {
                    keys.TryRemove(key, out _);
                    continue;
                }
                if (shown == monitor.Status)
                {
                    continue;
                }
            }
            // Shown in another state, or still rendering (it may have read the state before this change).
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }
}
