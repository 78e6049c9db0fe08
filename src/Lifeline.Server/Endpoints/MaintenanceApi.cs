using System.Text.Json.Nodes;
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

    private static async Task<IResult> Create(HttpRequest request, IMaintenanceStore store, IMonitorStore monitors, MaintenanceSweep sweep, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var now = clock.GetUtcNow();
        var errors = new List<string>();
        var window = MaintenanceInput.Apply(body, new MaintenanceWindow { Id = Secrets.NewId(), Name = "", CreatedAt = now }, creating: true, now, errors);
        await MaintenanceInput.CheckAsync(window, monitors, errors, ct);
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        await store.AddWindowAsync(window, window.OccurrencesAround(now), ct);
        // A window already in force pauses (or alerts) now, not at the scheduler's next pass.
        await sweep.SweepOnceAsync(ct);
        return TypedResults.Json(await JsonAsync(window, store, now, ct), statusCode: StatusCodes.Status201Created);
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

    private static async Task<IResult> Patch(string id, HttpRequest request, IMaintenanceStore store, IMonitorStore monitors, MaintenanceSweep sweep, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindWindowAsync(id, ct) is not { } current)
        {
            return Requests.NotFound("maintenance window", id);
        }
        var now = clock.GetUtcNow();
        var errors = new List<string>();
        var window = MaintenanceInput.Apply(body, current, creating: false, now, errors);
        await MaintenanceInput.CheckAsync(window, monitors, errors, ct);
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        // A manual window's one occurrence comes back with its start, so it keeps running (or stays ended).
        if (!await store.UpdateWindowAsync(window, window.OccurrencesAround(now), now, ct))
        {
            return Requests.NotFound("maintenance window", id);
        }
        await sweep.SweepOnceAsync(ct);
        return TypedResults.Json(await JsonAsync(window, store, now, ct));
    }

    private static async Task<IResult> Delete(string id, IMaintenanceStore store, MaintenanceSweep sweep, TimeProvider clock, CancellationToken ct)
    {
        if (!await store.DeleteWindowAsync(id, clock.GetUtcNow(), ct))
        {
            return Requests.NotFound("maintenance window", id);
        }
        // Monitors still down that the window covered alert now.
        await sweep.SweepOnceAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> End(string id, IMaintenanceStore store, MaintenanceSweep sweep, TimeProvider clock, CancellationToken ct)
    {
        if (await store.FindWindowAsync(id, ct) is not { } window)
        {
            return Requests.NotFound("maintenance window", id);
        }
        var now = clock.GetUtcNow();
        if (!await store.EndOccurrenceAsync(id, now, ct))
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"maintenance window '{id}' is not in force");
        }
        await sweep.SweepOnceAsync(ct);
        return TypedResults.Json(await JsonAsync(window, store, now, ct));
    }

    private static async Task<JsonObject> JsonAsync(MaintenanceWindow window, IMaintenanceStore store, DateTimeOffset now, CancellationToken ct) =>
        Json(window, await store.InForceAsync(now, ct), now);

    private static JsonObject Json(MaintenanceWindow w, IReadOnlyList<MaintenanceState> inForce, DateTimeOffset now)
    {
        var current = inForce.FirstOrDefault(s => s.Window.Id == w.Id)?.Current;
        DateTimeOffset? nextStart = w.Kind == MaintenanceKind.Recurring
            ? w.OccurrencesAround(now).Select(o => o.StartsAt).FirstOrDefault(s => s > now)
            : w.Kind == MaintenanceKind.Once && w.Start > now ? w.Start : null;
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
            ["active"] = current is not null,
            ["activeUntil"] = MonitorJson.Time(current?.EndsAt),
            ["nextStart"] = MonitorJson.Time(nextStart),
            ["createdAt"] = MonitorJson.Time(w.CreatedAt),
        };
    }
}
