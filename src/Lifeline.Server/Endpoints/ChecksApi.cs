using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.Endpoints;

/// <summary>/api/v1/monitors/{id}/uptime: an active monitor's uptime and latency from its hourly rollups.</summary>
internal static class ChecksApi
{
    private const int MaxHours = 24 * 90;

    public static RouteGroupBuilder MapChecks(this RouteGroupBuilder api)
    {
        api.MapGet("/monitors/{id}/uptime", Uptime);
        return api;
    }

    /// <summary><c>?hours=N</c> (default 24, at most 2160): the last N hours, the current one included.</summary>
    private static async Task<IResult> Uptime(string id, HttpRequest request, IMonitorStore store, ICheckHistoryStore history, TimeProvider clock, CancellationToken ct)
    {
        if (!Requests.TryLimit(request.Query["hours"], 24, MaxHours, out var hours, out _))
        {
            return Requests.BadRequest($"hours must be a whole number from 1 to {MaxHours}");
        }
        if (await store.FindAsync(id, ct) is null)
        {
            return Requests.NotFound("monitor", id);
        }
        var now = clock.GetUtcNow();
        var currentHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var from = currentHour.AddHours(1 - hours);
        var rollups = await history.RollupsAsync(id, from, currentHour.AddHours(1), ct);
        var checks = rollups.Sum(r => r.Checks);
        var failures = rollups.Sum(r => r.Failures);
        var unknown = rollups.Sum(r => r.Unknown);
        var latency = LatencyHistogram.Sum(rollups.Select(r => r.LatencyBuckets));
        return TypedResults.Json(new JsonObject
        {
            ["from"] = MonitorJson.Time(from),
            ["to"] = MonitorJson.Time(now),
            ["checks"] = checks,
            ["failures"] = failures,
            ["unknown"] = unknown,
            ["uptime"] = Ratio(checks - unknown - failures, checks - unknown),
            ["latencyMs"] = Percentiles(latency),
            ["hours"] = new JsonArray([.. rollups.Select(r => (JsonNode)new JsonObject
            {
                ["at"] = MonitorJson.Time(r.Hour),
                ["checks"] = r.Checks,
                ["failures"] = r.Failures,
                ["unknown"] = r.Unknown,
                ["uptime"] = Ratio(r.Checks - r.Unknown - r.Failures, r.Checks - r.Unknown),
                ["latencyMs"] = Percentiles(r.LatencyBuckets),
            })]),
        });
    }

    /// <summary>Passed over conclusive checks; null when there were none.</summary>
    private static double? Ratio(int passed, int conclusive) =>
        conclusive <= 0 ? null : Math.Round((double)passed / conclusive, 6);

    private static JsonObject Percentiles(IReadOnlyList<long> buckets) => new()
    {
        ["p50"] = LatencyHistogram.Percentile(buckets, 0.50),
        ["p95"] = LatencyHistogram.Percentile(buckets, 0.95),
        ["p99"] = LatencyHistogram.Percentile(buckets, 0.99),
    };
}
