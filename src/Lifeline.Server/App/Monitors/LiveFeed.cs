using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.App.Monitors;

/// <summary>
/// Live updates for open monitor pages, as Server-Sent Events at <c>/app/live</c>. Each open page
/// subscribes with the monitors it shows and the state it rendered (event count and status). One
/// loop per node reads the state of every subscribed monitor from the store in one query every
/// <see cref="LifelineOptions.AppLiveIntervalMs"/>, and sends each page only what changed for it:
/// a monitor's status, last signal and its new heartbeat cells (one more batch query, only when
/// something changed). Because it reads the store, a change decided on another node of a cluster
/// reaches this node's pages too; the cost is one indexed query per interval for the union of the
/// monitors on open pages (at most <see cref="MaxIds"/> per page), whatever the number of monitors.
/// </summary>
public sealed class LiveFeed(IMonitorOverviewStore store, TimeProvider clock, IOptions<LifelineOptions> options, ILogger<LiveFeed> logger) : BackgroundService
{
    /// <summary>Monitors one page may follow [200].</summary>
    public const int MaxIds = 200;

    /// <summary>Intervals between two keep-alive comments on a quiet stream [15 at the default interval: 30 s].</summary>
    private const int KeepAliveTicks = 15;

    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    /// <summary>One open page: what it last showed of each monitor, and the messages waiting for it.</summary>
    public sealed class Subscription(IReadOnlyDictionary<string, (long Events, string Status)> shown) : IDisposable
    {
        internal Dictionary<string, (long Events, string Status)> Shown { get; } = new(shown, StringComparer.Ordinal);
        internal Channel<string> Messages { get; } = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        internal Action<Subscription>? OnDispose { get; set; }

        public ChannelReader<string> Reader => Messages.Reader;

        public void Dispose() => OnDispose?.Invoke(this);
    }

    public int Subscribers => _subscriptions.Count;

    public Subscription Subscribe(IReadOnlyDictionary<string, (long Events, string Status)> shown)
    {
        var subscription = new Subscription(shown) { OnDispose = s => _subscriptions.TryRemove(s, out _) };
        _subscriptions[subscription] = 0;
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.AppLiveIntervalMs);
        var ticks = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
                await PassAsync(++ticks % KeepAliveTicks == 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store may be away for a moment (a PostgreSQL failover): pages wait for the next pass.
                logger.LogWarning(ex, "Live feed pass failed");
            }
        }
    }

    /// <summary>One pass: reads the followed monitors and queues what changed for each page.</summary>
    public async Task PassAsync(bool keepAlive, CancellationToken ct)
    {
        var subscriptions = _subscriptions.Keys.ToList();
        if (subscriptions.Count == 0)
        {
            return;
        }
        var ids = subscriptions.SelectMany(s => s.Shown.Keys).ToHashSet(StringComparer.Ordinal);
        var monitors = (await store.FindManyAsync(ids, ct)).ToDictionary(m => m.Id, StringComparer.Ordinal);
        // How many new events each changed monitor needs, for the page furthest behind.
        var behind = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var subscription in subscriptions)
        {
            foreach (var (id, shown) in subscription.Shown)
            {
                if (monitors.TryGetValue(id, out var m) && m.EventCount > shown.Events)
                {
                    behind[id] = Math.Max(behind.GetValueOrDefault(id), m.EventCount - shown.Events);
                }
            }
        }
        var events = behind.Count == 0
            ? new Dictionary<string, IReadOnlyList<MonitorEvent>>()
            : await store.RecentEventsAsync(behind.Keys.ToList(), (int)Math.Min(MonitorRows.Beats, behind.Values.Max()), ct);
        var now = clock.GetUtcNow();
        foreach (var subscription in subscriptions)
        {
            var sent = false;
            foreach (var (id, shown) in subscription.Shown.ToList())
            {
                if (!monitors.TryGetValue(id, out var m))
                {
                    continue;
                }
                var status = WireNames.Of(m.Status);
                if (m.EventCount == shown.Events && status == shown.Status)
                {
                    continue;
                }
                var recent = events.GetValueOrDefault(id) ?? [];
                var fresh = recent.Where(e => e.Id > shown.Events).Reverse().Select(MonitorRows.Cell);
                subscription.Shown[id] = (m.EventCount, status);
                subscription.Messages.Writer.TryWrite(Message(m, status, fresh, MonitorRows.ResponseMs(recent), now));
                sent = true;
            }
            if (!sent && keepAlive)
            {
                subscription.Messages.Writer.TryWrite(": keep-alive\n\n");
            }
        }
    }

    private static string Message(Monitor m, string status, IEnumerable<HeartbeatCell> cells, long? responseMs, DateTimeOffset now)
    {
        var json = new JsonObject
        {
            ["id"] = m.Id,
            ["status"] = status,
            ["events"] = m.EventCount,
            ["lastSignalAt"] = m.LastSignalAt is { } at ? MonitorRows.Iso(at) : null,
            ["lastSignal"] = MonitorRows.Ago(m.LastSignalAt, now),
            ["lastMessage"] = m.LastMessage,
            ["responseMs"] = responseMs,
            ["cells"] = new JsonArray([.. cells.Select(c => (JsonNode)new JsonObject { ["state"] = c.State, ["title"] = c.Title })]),
        };
        return $"event: monitor\ndata: {json.ToJsonString()}\n\n";
    }

    /// <summary>
    /// Maps <c>GET /app/live?m=&lt;id&gt;.&lt;event count&gt;.&lt;status&gt;&amp;m=...</c> (signed-in only): a
    /// <c>text/event-stream</c> of <c>monitor</c> events, one JSON object per changed monitor.
    /// </summary>
    public static IEndpointRouteBuilder MapLiveFeed(IEndpointRouteBuilder app)
    {
        app.MapGet("/app/live", Stream).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> Stream(HttpContext context, LiveFeed feed, IHostApplicationLifetime lifetime)
    {
        var shown = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var value in context.Request.Query["m"])
        {
            var parts = (value ?? "").Split('.');
            if (parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var count) || parts[0].Length is 0 or > 64)
            {
                return TypedResults.BadRequest(new { error = "m: expected <monitor id>.<event count>.<status>" });
            }
            shown[parts[0]] = (count, parts[2]);
        }
        if (shown.Count > MaxIds)
        {
            return TypedResults.BadRequest(new { error = $"m: at most {MaxIds} monitors per stream" });
        }
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var subscription = feed.Subscribe(shown);
        try
        {
            // Tells the browser how long to wait before reconnecting, and opens the stream at once.
            await context.Response.WriteAsync("retry: 5000\n\n", stop.Token);
            await context.Response.Body.FlushAsync(stop.Token);
            await foreach (var message in subscription.Reader.ReadAllAsync(stop.Token))
            {
                await context.Response.WriteAsync(message, stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed, or the server is stopping.
        }
        return TypedResults.Empty;
    }
}
