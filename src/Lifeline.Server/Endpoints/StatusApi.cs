using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Lifeline.Server.Security;

namespace Lifeline.Server.Endpoints;

/// <summary>Facts about the running server, for the status API, /healthz and the bot.</summary>
public sealed class ServerState(TimeProvider clock)
{
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
    public bool StoreOpen { get; set; }
    public string StoreDescription { get; set; } = "";

    public static string Version { get; } =
        typeof(ServerState).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

/// <summary>/healthz, /metrics and /api/v1/status.</summary>
internal static class StatusApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Healthz);
        app.MapMethods("/healthz", ["HEAD"], Healthz);
        app.MapGet("/metrics", Metrics);
        return app;
    }

    public static RouteGroupBuilder MapStatus(this RouteGroupBuilder api)
    {
        api.MapGet("/status", Status);
        return api;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Healthz(ServerState server, IStoreHealth storeHealth, SchedulerPulse pulse, CheckLag lag, ActiveCheckSweep checks, ClusterCoordinator cluster, NodeShare share, TimeProvider clock)
    {
        // Writes that fail (a full disk) fail the store: pushes are not being kept.
        var problem = storeHealth.Problem;
        var storePass = server.StoreOpen && problem is null;
        var pass = storePass && pulse.IsAlive;
        var store = new JsonObject { ["status"] = storePass ? "pass" : "fail" };
        if (!storePass)
        {
            store["output"] = problem ?? "the store is not open yet";
        }
        if (storeHealth.ProblemSince is { } since)
        {
            store["since"] = MonitorJson.Time(since);
        }
        var body = new JsonObject
        {
            ["status"] = pass ? "pass" : "fail",
            ["version"] = ServerState.Version,
            ["checks"] = new JsonObject
            {
                ["store"] = store,
                ["scheduler"] = new JsonObject
                {
                    ["status"] = pulse.IsAlive ? "pass" : "fail",
                    ["lastTickAt"] = MonitorJson.Time(pulse.LastTickAt),
                },
                // How late due checks start: informative, it does not fail the server.
                ["activeChecks"] = new JsonObject
                {
                    ["status"] = lag.PercentileMs(0.99) < 5_000 ? "pass" : "warn",
                    ["lagMs"] = Math.Round(lag.PercentileMs(0.99)),
                    ["lagP50Ms"] = Math.Round(lag.PercentileMs(0.50)),
                    ["running"] = checks.Running,
                    ["started"] = lag.Started,
                },
                // This node's place in the cluster, as of its last check-in (no query per probe).
                ["cluster"] = new JsonObject
                {
                    ["status"] = cluster.LastCheckInAt is { } at && clock.GetUtcNow() - at < TimeSpan.FromSeconds(30) ? "pass" : "warn",
                    ["node"] = cluster.Self.Id,
                    ["lastCheckInAt"] = MonitorJson.Time(cluster.LastCheckInAt),
                    ["shards"] = share.Shards?.Count ?? NodeShare.Count,
                    ["nodes"] = NodesJson(cluster, cluster.Nodes, clock.GetUtcNow()),
                },
            },
        };
        return TypedResults.Text(body.ToJsonString(), "application/health+json", Encoding.UTF8, pass ? 200 : 503);
    }

    /// <summary>The nodes list of the status API and /healthz: CONTRACT §6 fields, and whether each is up.</summary>
    internal static JsonArray NodesJson(ClusterCoordinator cluster, IReadOnlyList<NodeInfo> nodes, DateTimeOffset now) =>
        new([.. nodes.Select(n => (JsonNode)new JsonObject
        {
            ["id"] = n.Id,
            ["address"] = n.Address,
            ["version"] = n.Version,
            ["startedAt"] = MonitorJson.Time(n.StartedAt),
            ["lastSeenAt"] = MonitorJson.Time(n.LastSeenAt),
            ["status"] = cluster.IsAlive(n, now) ? "up" : "gone",
            ["self"] = n.Id == cluster.Self.Id,
        })]);

    private static async Task<IResult> Status(HttpContext context, ServerState server, SchedulerPulse pulse, PingKey pingKey, IMonitorStore store, IClusterStore clusterStore, ClusterCoordinator cluster, TimeProvider clock, CancellationToken ct)
    {
        var counts = await store.CountByStatusAsync(ct);
        var monitors = new JsonArray([.. (await store.ListAllAsync(ct)).Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m.Id,
            ["name"] = m.Name,
            ["status"] = WireNames.Of(m.Status),
            ["lastSignalAt"] = MonitorJson.Time(m.LastSignalAt),
        })]);
        return TypedResults.Json(new JsonObject
        {
            // The ping key creates monitors through slug URLs: not for read-only keys.
            ["pingKey"] = ApiKeyFilter.IsReadOnly(context) ? null : pingKey.Value,
            ["server"] = new JsonObject
            {
                ["status"] = server.StoreOpen ? "up" : "starting",
                ["startedAt"] = MonitorJson.Time(server.StartedAt),
                ["version"] = ServerState.Version,
            },
            ["scheduler"] = new JsonObject
            {
                ["status"] = pulse.IsAlive ? "up" : "stalled",
                ["lastTickAt"] = MonitorJson.Time(pulse.LastTickAt),
            },
            ["counts"] = new JsonObject(counts.Select(c => KeyValuePair.Create(WireNames.Of(c.Key), (JsonNode?)c.Value))),
            ["nodes"] = NodesJson(cluster, await clusterStore.NodesAsync(ct), clock.GetUtcNow()),
            ["monitors"] = monitors,
        });
    }

    private static async Task Metrics(HttpContext context, IOptions<LifelineOptions> options, ApiKeyGate gate, IMonitorStore store, IMonitorOverviewStore overview, IOutboxStore outbox, LifelineMetrics metrics, SchedulerPulse pulse, TimeProvider clock, CancellationToken ct)
    {
        if (options.Value.MetricsRequireKey && gate.Check(context.Request) == Access.None)
        {
            await Requests.Error(401, "an API key is required for /metrics").ExecuteAsync(context);
            return;
        }
        var counts = await store.CountByStatusAsync(ct);
        var pending = await outbox.PendingCountAsync(ct);
        var text = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
            foreach (var (labels, value) in samples)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value}\n");
            }
        }
        Metric("lifeline_monitors", "gauge", "Monitors by status.", counts.Select(c => ($"{{status=\"{WireNames.Of(c.Key)}\"}}", (double)c.Value)));
        Metric("lifeline_signals_total", "counter", "Signals received, by result.", [("{result=\"accepted\"}", metrics.SignalsAccepted), ("{result=\"unknown_token\"}", metrics.SignalsRejected)]);
        Metric("lifeline_flips_total", "counter", "State changes made by the deadline sweep.", [("", metrics.Flips)]);
        Metric("lifeline_notices_total", "counter", "Notice delivery attempts, by result.", [("{result=\"sent\"}", metrics.NoticesSent), ("{result=\"failed\"}", metrics.NoticesFailed)]);
        Metric("lifeline_outbox_pending", "gauge", "Notices waiting for delivery.", [("", pending)]);
        Metric("lifeline_scheduler_last_tick_seconds", "gauge", "Unix time of the scheduler's last pass.", [("", pulse.LastTickAt?.ToUnixTimeMilliseconds() / 1000.0 ?? 0)]);
        // The server-wide families are a few lines; the per-monitor ones are streamed after them.
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await using var answer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await answer.WriteAsync(text, ct);
        await MonitorMetrics.WriteAsync(answer, store, overview, clock.GetUtcNow(), counts.Values.Sum(), ct);
        await answer.FlushAsync(ct);
    }
}
