using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Endpoints;

/// <summary>/api/v1/monitors: create, list, read, change, pause, resume, rotate tokens, events and incidents.</summary>
internal static class MonitorsApi
{
    public static RouteGroupBuilder MapMonitors(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/monitors");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Patch);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/pause", Pause);
        group.MapPost("/{id}/resume", Resume);
        group.MapPost("/{id}/rotate-token", RotateToken);
        group.MapGet("/{id}/events", Events);
        group.MapGet("/{id}/incidents", Incidents);
        group.MapPost("/{id}/ack", AcknowledgeApi.Ack);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, IMonitorStore store, IDependencyStore dependencies, IChannelStore channels, IEnumerable<IMonitorValidator> validators, MaintenanceLookup maintenance, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var now = clock.GetUtcNow();
        var errors = new List<string>();
        var monitor = MonitorInput.Apply(body, new Monitor { Id = Secrets.NewId(), Name = "", CreatedAt = now }, creating: true, errors);
        if (errors.Count == 0 && monitor.Kind == MonitorKind.Push)
        {
            monitor = monitor with { PushToken = monitor.PushToken ?? Secrets.NewPushToken() };
        }
        else if (errors.Count == 0)
        {
            // An active monitor's first check is due at once.
            monitor = monitor with { DueAt = now, NextDeadlineAt = now };
        }
        await CheckAsync(monitor, channels, validators, errors, ct);
        if (body.ContainsKey("dependsOn"))
        {
            await DependencyCheck.CheckAsync(monitor, store, dependencies, errors, ct);
        }
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        try
        {
            var created = await store.AddAsync(monitor, ct);
            var json = MonitorJson.Monitor(created, Requests.BaseUrl(request, options.Value.PublicUrl));
            json["inMaintenance"] = (await maintenance.InMaintenanceAsync(ct))(created);
            return TypedResults.Json(json, statusCode: StatusCodes.Status201Created);
        }
        catch (ConflictException ex)
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"{ex.Field}: {ex.Message}");
        }
    }

    private static async Task<IResult> List(HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var q = request.Query;
        if (!Requests.TryLimit(q["limit"], 100, 1000, out var limit, out var limitError))
        {
            return Requests.BadRequest(limitError!);
        }
        MonitorStatus? status = null;
        if (!string.IsNullOrEmpty(q["status"]))
        {
            if (!WireNames.TryParseStatus(q["status"], out var parsed))
            {
                return Requests.BadRequest("status must be one of new, up, late, down, paused");
            }
            status = parsed;
        }
        try
        {
            var page = await store.ListAsync(new MonitorQuery { Status = status, Tag = q["tag"], Text = q["q"], Limit = limit, Cursor = q["cursor"] }, ct);
            var baseUrl = Requests.BaseUrl(request, options.Value.PublicUrl);
            var inMaintenance = await maintenance.InMaintenanceAsync(ct);
            return TypedResults.Json(new JsonObject
            {
                ["items"] = new JsonArray([.. page.Items.Select(m => (JsonNode)WithMaintenance(MonitorJson.Monitor(m, baseUrl, !Security.ApiKeyFilter.IsReadOnly(request.HttpContext)), inMaintenance(m)))]),
                ["nextCursor"] = page.NextCursor,
            });
        }
        catch (ArgumentException)
        {
            return Requests.BadRequest("cursor is not one this server gave out");
        }
    }

    private static async Task<IResult> Get(string id, HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } monitor
            ? TypedResults.Json(WithMaintenance(MonitorJson.Monitor(monitor, Requests.BaseUrl(request, options.Value.PublicUrl), !Security.ApiKeyFilter.IsReadOnly(request.HttpContext)), (await maintenance.InMaintenanceAsync(ct))(monitor)))
            : Requests.NotFound("monitor", id);

    /// <summary>Adds <c>inMaintenance</c>: whether a maintenance window in force covers the monitor.</summary>
    private static JsonObject WithMaintenance(JsonObject json, bool inMaintenance)
    {
        json["inMaintenance"] = inMaintenance;
        return json;
    }

    private static async Task<IResult> Patch(string id, HttpRequest request, IMonitorStore store, IDependencyStore dependencies, IChannelStore channels, IEnumerable<IMonitorValidator> validators, MaintenanceLookup maintenance, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return Requests.NotFound("monitor", id);
        }
        var errors = new List<string>();
        var changed = MonitorInput.Apply(body, current, creating: false, errors);
        await CheckAsync(changed, channels, validators, errors, ct, alreadyAttached: current.Channels);
        if (body.ContainsKey("dependsOn"))
        {
            await DependencyCheck.CheckAsync(changed, store, dependencies, errors, ct);
        }
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        try
        {
            // Re-read inside the write so signals that arrived meanwhile are kept; apply only the edited fields.
            var saved = await store.ChangeAsync(id, latest =>
            {
                var edited = MonitorInput.Apply(body, latest, creating: false, []);
                return Flip.Quiet(latest, MonitorMachine.Reschedule(edited, clock.GetUtcNow()));
            }, ct);
            return saved is null
                ? Requests.NotFound("monitor", id)
                : TypedResults.Json(WithMaintenance(MonitorJson.Monitor(saved, Requests.BaseUrl(request, options.Value.PublicUrl)), (await maintenance.InMaintenanceAsync(ct))(saved)));
        }
        catch (ConflictException ex) when (ex.Field == "dependsOn")
        {
            // A cycle closed by an edit saved meanwhile: refused as the check above refuses one.
            return Requests.BadRequest($"{ex.Field}: {ex.Message}");
        }
        catch (ConflictException ex)
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"{ex.Field}: {ex.Message}");
        }
    }

    private static async Task<IResult> Delete(string id, IMonitorStore store, CancellationToken ct) =>
        await store.DeleteAsync(id, ct) ? TypedResults.NoContent() : Requests.NotFound("monitor", id);

    private static Task<IResult> Pause(string id, HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        ChangeAsync(id, request, store, maintenance, options, MonitorMachine.Pause, ct);

    private static Task<IResult> Resume(string id, HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct) =>
        ChangeAsync(id, request, store, maintenance, options, m => MonitorMachine.Resume(m, clock.GetUtcNow()), ct);

    private static async Task<IResult> RotateToken(string id, HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return Requests.NotFound("monitor", id);
        }
        if (current.Kind != MonitorKind.Push)
        {
            return Requests.BadRequest("only push monitors have a push token");
        }
        return await ChangeAsync(id, request, store, maintenance, options, m => Flip.Quiet(m, m with { PushToken = Secrets.NewPushToken() }), ct);
    }

    private static async Task<IResult> ChangeAsync(string id, HttpRequest request, IMonitorStore store, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, Func<Monitor, Flip> change, CancellationToken ct) =>
        await store.ChangeAsync(id, change, ct) is { } changed
            ? TypedResults.Json(WithMaintenance(MonitorJson.Monitor(changed, Requests.BaseUrl(request, options.Value.PublicUrl)), (await maintenance.InMaintenanceAsync(ct))(changed)))
            : Requests.NotFound("monitor", id);

    private static async Task<IResult> Events(string id, HttpRequest request, IMonitorStore store, CancellationToken ct)
    {
        if (!Requests.TryLimit(request.Query["limit"], 100, 10_000, out var limit, out var error))
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindAsync(id, ct) is null)
        {
            return Requests.NotFound("monitor", id);
        }
        var events = await store.EventsAsync(id, limit, ct);
        return TypedResults.Json(new JsonArray([.. events.Select(e => (JsonNode)MonitorJson.Event(e))]));
    }

    private static async Task<IResult> Incidents(string id, HttpRequest request, IMonitorStore store, CancellationToken ct)
    {
        if (!Requests.TryLimit(request.Query["limit"], 100, 10_000, out var limit, out var error))
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindAsync(id, ct) is null)
        {
            return Requests.NotFound("monitor", id);
        }
        var incidents = await store.IncidentsAsync(id, limit, ct);
        return TypedResults.Json(new JsonArray([.. incidents.Select(i => (JsonNode)MonitorJson.Incident(i))]));
    }

    /// <param name="alreadyAttached">Channels the monitor had before an edit: a deleted one among them does not block other changes.</param>
    private static async Task CheckAsync(Monitor monitor, IChannelStore channels, IEnumerable<IMonitorValidator> validators, List<string> errors, CancellationToken ct, IReadOnlyList<string>? alreadyAttached = null)
    {
        foreach (var channelId in monitor.Channels.Except(alreadyAttached ?? []))
        {
            if (await channels.FindAsync(channelId, ct) is null)
            {
                errors.Add($"channels: no channel with id '{channelId}'");
            }
        }
        foreach (var validator in validators)
        {
            errors.AddRange(validator.Validate(monitor));
        }
    }
}
