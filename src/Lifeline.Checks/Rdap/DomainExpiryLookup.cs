using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Lifeline.Checks.Rdap;

/// <summary>
/// Finds when a domain expires over RDAP (RFC 9083), for <c>[DOMAIN_EXPIRATION]</c>: the registry's
/// server comes from IANA's bootstrap file (RFC 9224, longest matching suffix) unless
/// <see cref="RdapOptions.BaseUrl"/> names one. A host such as <c>api.example.com</c> is asked for
/// as written, then one label shorter at a time, until the registry knows it. Answers are cached
/// (<see cref="RdapOptions.CacheFor"/>); a failed lookup is retried after
/// <see cref="RdapOptions.RetryAfter"/> and meanwhile the last good date still counts. Never throws
/// for a failing registry, only when the caller's token is cancelled.
/// </summary>
public sealed class DomainExpiryLookup : IDisposable
{
    private readonly RdapOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Entry> _domains = new(StringComparer.Ordinal);
    private readonly Lock _bootstrapGate = new();
    private Cached<IReadOnlyDictionary<string, Uri>>? _bootstrap;
    private int _queries;

    public DomainExpiryLookup(RdapOptions options, TimeProvider time, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/rdap+json"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json", 0.9));
    }

    /// <summary>Lookups sent to RDAP servers so far (bootstrap file not counted).</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>When the domain of <paramref name="host"/> expires, from the cache when fresh.</summary>
    public async Task<DomainExpiry> FindAsync(string host, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(name, out _))
        {
            return new DomainExpiry(name, null, $"{name} is an IP address, which has no domain expiration");
        }
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            return new DomainExpiry(name, null, $"'{name}' is not a registered domain name");
        }
        var now = _time.GetUtcNow();
        while (true)
        {
            _domains.TryGetValue(name, out var current);
            if (current is not null && !IsStale(current, now))
            {
                return await current.Result.WaitAsync(ct);
            }
            var fresh = new Entry(now);
            var stored = current is null ? _domains.TryAdd(name, fresh) : _domains.TryUpdate(name, fresh, current);
            if (!stored)
            {
                continue;
            }
            _ = RefreshAsync(name, fresh, current);
            Trim(now);
            return await fresh.Result.WaitAsync(ct);
        }
    }

    private bool IsStale(Entry entry, DateTimeOffset now) =>
        entry.Result.IsCompleted && now - entry.StartedAt >= (entry.Failed ? _options.RetryAfter : _options.CacheFor);

    private async Task RefreshAsync(string name, Entry entry, Entry? previous)
    {
        // Off the caller's thread: one lookup serves every check asking meanwhile.
        await Task.Yield();
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        DomainExpiry result;
        try
        {
            result = await LookupAsync(name, timeout.Token);
        }
        catch (Exception ex)
        {
            // Whatever went wrong becomes the answer: every check waiting on this lookup must get one.
            result = new DomainExpiry(name, null, timeout.IsCancellationRequested
                ? $"no RDAP answer about {name} within {Conditions.DurationText.Format(_options.Timeout)}"
                : $"RDAP lookup of {name} failed: {ProbeErrors.Describe(ex)}");
        }
        if (result.Error is not null)
        {
            entry.Failed = true;
            if (previous?.Result is { IsCompletedSuccessfully: true, Result.ExpiresAt: not null } lastGood)
            {
                result = lastGood.Result;
            }
        }
        entry.Done.TrySetResult(result);
    }

    private async Task<DomainExpiry> LookupAsync(string name, CancellationToken ct)
    {
        Uri server;
        int shortest;
        if (_options.BaseUrl is { } fixedServer)
        {
            server = fixedServer;
            shortest = 2;
        }
        else
        {
            var services = await BootstrapAsync(ct);
            if (services is null)
            {
                return new DomainExpiry(name, null, $"the RDAP bootstrap file {_options.BootstrapUrl} could not be read");
            }
            var labels = name.Split('.');
            var match = Enumerable.Range(1, labels.Length - 1)
                .Select(i => string.Join('.', labels[i..]))
                .FirstOrDefault(services.ContainsKey);
            if (match is null)
            {
                return new DomainExpiry(name, null, $"no RDAP server is known for {name} (its top-level domain is not in {_options.BootstrapUrl})");
            }
            server = services[match];
            shortest = match.Split('.').Length + 1;
        }
        var parts = name.Split('.');
        for (var take = parts.Length; take >= shortest; take--)
        {
            var domain = string.Join('.', parts[^take..]);
            Interlocked.Increment(ref _queries);
            using var response = await _http.GetAsync(new Uri(WithSlash(server), "domain/" + Uri.EscapeDataString(domain)), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                return new DomainExpiry(domain, null, $"the RDAP server {server.Host} answered {(int)response.StatusCode} about {domain}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            return ExpiryIn(json.RootElement) is { } expires
                ? new DomainExpiry(domain, expires, null)
                : new DomainExpiry(domain, null, $"the RDAP answer about {domain} has no expiration date");
        }
        return new DomainExpiry(name, null, $"the RDAP server {server.Host} does not know {name}");
    }

    private static DateTimeOffset? ExpiryIn(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        foreach (var e in events.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("eventAction", out var action) && action.ValueKind == JsonValueKind.String
                && string.Equals(action.GetString(), "expiration", StringComparison.OrdinalIgnoreCase)
                && e.TryGetProperty("eventDate", out var date) && date.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(date.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at.ToUniversalTime();
            }
        }
        return null;
    }

    /// <summary>The bootstrap's suffix → server map; null when it cannot be read (retried after <see cref="RdapOptions.RetryAfter"/>).</summary>
    private Task<IReadOnlyDictionary<string, Uri>?> BootstrapAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        Cached<IReadOnlyDictionary<string, Uri>> cached;
        lock (_bootstrapGate)
        {
            if (_bootstrap is null || (_bootstrap.Task.IsCompleted && now - _bootstrap.At >= (_bootstrap.Task.Result is null ? _options.RetryAfter : _options.CacheFor)))
            {
                _bootstrap = new Cached<IReadOnlyDictionary<string, Uri>>(now, ReadBootstrapAsync());
            }
            cached = _bootstrap;
        }
        return cached.Task.WaitAsync(ct);
    }

    private async Task<IReadOnlyDictionary<string, Uri>?> ReadBootstrapAsync()
    {
        await Task.Yield();
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        try
        {
            using var json = JsonDocument.Parse(await _http.GetByteArrayAsync(_options.BootstrapUrl, timeout.Token));
            var services = new Dictionary<string, Uri>(StringComparer.Ordinal);
            foreach (var service in json.RootElement.GetProperty("services").EnumerateArray())
            {
                var urls = service[1].EnumerateArray()
                    .Select(u => Uri.TryCreate(u.GetString(), UriKind.Absolute, out var url) ? url : null)
                    .OfType<Uri>()
                    .OrderBy(u => u.Scheme == Uri.UriSchemeHttps ? 0 : 1)
                    .ToList();
                if (urls.Count == 0)
                {
                    continue;
                }
                foreach (var suffix in service[0].EnumerateArray())
                {
                    services.TryAdd(suffix.GetString()!.Trim('.').ToLowerInvariant(), urls[0]);
                }
            }
            return services;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static Uri WithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    /// <summary>Keeps the cache within <see cref="RdapOptions.MaxCached"/>: drops stale entries, then the oldest.</summary>
    private void Trim(DateTimeOffset now)
    {
        if (_domains.Count <= _options.MaxCached)
        {
            return;
        }
        foreach (var (key, entry) in _domains.Where(e => IsStale(e.Value, now)).ToList())
        {
            _domains.TryRemove(KeyValuePair.Create(key, entry));
        }
        var excess = _domains.Count - _options.MaxCached;
        foreach (var (key, entry) in _domains.Where(e => e.Value.Result.IsCompleted).OrderBy(e => e.Value.StartedAt).Take(Math.Max(0, excess)).ToList())
        {
            _domains.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class Entry(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;
        public TaskCompletionSource<DomainExpiry> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<DomainExpiry> Result => Done.Task;
        /// <summary>The lookup failed: ask again after <see cref="RdapOptions.RetryAfter"/> rather than <see cref="RdapOptions.CacheFor"/>.</summary>
        public bool Failed { get; set; }
    }

    private sealed record Cached<T>(DateTimeOffset At, Task<T?> Task) where T : class;
}
