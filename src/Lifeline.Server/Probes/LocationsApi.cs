using System.Text.Json.Nodes;
using Lifeline.Core.Probes;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Probes;

/// <summary>
/// <c>/api/v1/locations</c> (CONTRACT §10): create a location (its one-time enrol token is shown
/// once), list locations with their probes and when each was last heard, a new enrol token, and
/// deletion. The server itself is the location <c>local</c>, which is not listed.
/// </summary>
internal static class LocationsApi
{
    public static RouteGroupBuilder MapLocations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/locations");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/enroll-token", NewToken);
        group.MapDelete("/{id}/probes/{probeId}", DeleteProbe);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, ProbeHub hub, ILocationStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (body["name"] is not JsonValue nameNode || !nameNode.TryGetValue<string>(out var name) || string.IsNullOrWhiteSpace(name) || name.Trim().Length > 64)
        {
            return Requests.BadRequest("name must be a non-empty string of at most 64 characters");
        }
        name = name.Trim();
        if (string.Equals(name, Monitor.LocalLocation, StringComparison.OrdinalIgnoreCase))
        {
            return Requests.BadRequest("name: \"local\" is the server itself; choose another name");
        }
        if (await hub.CreateLocationAsync(name, ct) is not { } created)
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"name: a location named '{name}' exists already");
        }
        var json = Json(created.Location, [], clock.GetUtcNow(), options.Value);
        json["enrollToken"] = created.EnrollToken;
        return TypedResults.Json(json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(ILocationStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var probes = await store.ProbesAsync(ct);
        var now = clock.GetUtcNow();
        var locations = await store.LocationsAsync(ct);
        return TypedResults.Json(new JsonArray([.. locations.Select(l => (JsonNode)Json(l, probes, now, options.Value))]));
    }

    private static async Task<IResult> Get(string id, ILocationStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct) =>
        await store.FindLocationAsync(id, ct) is { } location
            ? TypedResults.Json(Json(location, await store.ProbesAsync(ct), clock.GetUtcNow(), options.Value))
            : Requests.NotFound("location", id);

    private static async Task<IResult> Delete(string id, ProbeHub hub, CancellationToken ct)
    {
        var (found, usedBy) = await hub.DeleteLocationAsync(id, ct);
        if (!found)
        {
            return Requests.NotFound("location", id);
        }
        return usedBy.Count > 0
            ? Requests.Error(StatusCodes.Status409Conflict, $"location '{id}' is used by {usedBy.Count} monitor(s): {string.Join(", ", usedBy.Take(10))}; take it out of their locations first")
            : TypedResults.NoContent();
    }

    private static async Task<IResult> NewToken(string id, ProbeHub hub, CancellationToken ct) =>
        await hub.NewEnrollTokenAsync(id, ct) is { } token
            ? TypedResults.Json(new JsonObject { ["id"] = id, ["enrollToken"] = token })
            : Requests.NotFound("location", id);

    private static async Task<IResult> DeleteProbe(string id, string probeId, ILocationStore store, ProbeHub hub, CancellationToken ct)
    {
        if (await store.FindProbeAsync(probeId, ct) is not { } probe || probe.LocationId != id)
        {
            return Requests.NotFound("probe", probeId);
        }
        await store.DeleteProbeAsync(probeId, ct);
        hub.Invalidate();
        return TypedResults.NoContent();
    }

    private static JsonObject Json(Location location, IReadOnlyList<ProbeInfo> probes, DateTimeOffset now, LifelineOptions options)
    {
        var lease = TimeSpan.FromSeconds(options.ProbeLeaseSeconds);
        var own = probes.Where(p => p.LocationId == location.Id).ToList();
        var lastHeard = own.Select(p => p.LastSeenAt).Max();
        return new JsonObject
        {
            ["id"] = location.Id,
            ["name"] = location.Name,
            ["createdAt"] = MonitorJson.Time(location.CreatedAt),
            ["lastHeardAt"] = MonitorJson.Time(lastHeard),
            ["status"] = own.Count == 0 ? "no probes" : lastHeard is { } heard && now - heard <= lease ? "reporting" : "silent",
            ["watchMonitor"] = location.WatchMonitorId,
            ["probes"] = new JsonArray([.. own.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name,
                ["enrolledAt"] = MonitorJson.Time(p.EnrolledAt),
                ["lastHeardAt"] = MonitorJson.Time(p.LastSeenAt),
                ["live"] = p.LastSeenAt is { } seen && now - seen <= lease,
            })]),
        };
    }
}
