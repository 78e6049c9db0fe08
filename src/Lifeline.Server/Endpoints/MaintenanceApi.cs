using System.Text.Json.Nodes;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.Endpoints;

/// <summary>/api/v1/maintenance: maintenance windows (CONTRACT §9). Writes need a full key (the group's <see cref="Security.ApiKeyFilter"/>).</summary>
internal static class MaintenanceApi
{
    public static RouteGroupBuilder MapMaintenance(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/maintenance");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Patch);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/end", End);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, MaintenanceWrites writes, IMaintenanceStore store, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.CreateAsync(body, ct);
        return result.Value is { } window
            ? TypedResults.Json(await JsonAsync(window, store, clock.GetUtcNow(), ct), statusCode: StatusCodes.Status201Created)
            : Requests.From(result, "maintenance window", "");
    }

    private static async Task<IResult> List(IMaintenanceStore store, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var inForce = await store.InForceAsync(now, ct);
        var windows = await store.WindowsAsync(ct);
        return TypedResults.Json(new JsonArray([.. windows.Select(w => (JsonNode)Json(w, inForce, now))]));
    }

    private static async Task<IResult> Get(string id, IMaintenanceStore store, TimeProvider clock, CancellationToken ct) =>
        await store.FindWindowAsync(id, ct) is { } window
            ? TypedResults.Json(await JsonAsync(window, store, clock.GetUtcNow(), ct))
            : Requests.NotFound("maintenance window", id);

    private static async Task<IResult> Patch(string id, HttpRequest request, MaintenanceWrites writes, IMaintenanceStore store, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.ChangeAsync(id, body, ct);
        return result.Value is { } window
            ? TypedResults.Json(await JsonAsync(window, store, clock.GetUtcNow(), ct))
            : Requests.From(result, "maintenance window", id);
    }

    private static async Task<IResult> Delete(string id, MaintenanceWrites writes, CancellationToken ct) =>
        await writes.DeleteAsync(id, ct) ? TypedResults.NoContent() : Requests.NotFound("maintenance window", id);

    private static async Task<IResult> End(string id, MaintenanceWrites writes, IMaintenanceStore store, TimeProvider clock, CancellationToken ct)
    {
        var result = await writes.EndAsync(id, ct);
        return result.Value is { } window
            ? TypedResults.Json(await JsonAsync(window, store, clock.GetUtcNow(), ct))
            : Requests.From(result, "maintenance window", id);
    }

    private static async Task<JsonObject> JsonAsync(MaintenanceWindow window, IMaintenanceStore store, DateTimeOffset now, CancellationToken ct) =>
        Json(window, await store.InForceAsync(now, ct), now);

    private static JsonObject Json(MaintenanceWindow w, IReadOnlyList<MaintenanceState> inForce, DateTimeOffset now)
    {
        var timing = MaintenanceTiming.Of(w, inForce, now);
        return new JsonObject
        {
            ["id"] = w.Id,
            ["name"] = w.Name,
            ["kind"] = MaintenanceColumns.KindName(w.Kind),
            ["monitors"] = new JsonArray([.. w.Monitors.Select(m => JsonValue.Create(m))]),
            ["tags"] = new JsonArray([.. w.Tags.Select(t => JsonValue.Create(t))]),
            ["start"] = MonitorJson.Time(w.Start),
            ["end"] = MonitorJson.Time(w.End),
            ["schedule"] = w.Schedule,
            ["duration"] = w.Duration?.TotalSeconds,
            ["tz"] = w.Kind == MaintenanceKind.Recurring ? w.Tz : null,
            ["manual"] = w.Kind == MaintenanceKind.Manual,
            ["effect"] = MaintenanceColumns.EffectName(w.Effect),
            ["active"] = timing.Active,
            ["activeUntil"] = MonitorJson.Time(timing.ActiveUntil),
            ["nextStart"] = MonitorJson.Time(timing.NextStart),
            ["createdAt"] = MonitorJson.Time(w.CreatedAt),
        };
    }
}
