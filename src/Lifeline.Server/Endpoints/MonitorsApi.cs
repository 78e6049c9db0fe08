using System.Text.Json.Nodes;
using Lifeline.Server.Edits;
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

    private static async Task<IResult> Create(HttpRequest request, MonitorWrites writes, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.CreateAsync(body, ct);
        if (result.Value is not { } created)
        {
            return Requests.From(result, "monitor", "");
        }
        var json = MonitorJson.Monitor(created, Requests.BaseUrl(request, options.Value.PublicUrl));
        json["inMaintenance"] = (await maintenance.InMaintenanceAsync(ct))(created);
        return TypedResults.Json(json, statusCode: StatusCodes.Status201Created);
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

    private static async Task<IResult> Patch(string id, HttpRequest request, MonitorWrites writes, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        return await AnswerAsync(await writes.ChangeAsync(id, body, ct), id, request, maintenance, options, ct);
    }

    private static async Task<IResult> Delete(string id, MonitorWrites writes, CancellationToken ct) =>
        await writes.DeleteAsync(id, ct) is { Outcome: not WriteOutcome.Done } refused ? Requests.From(refused, "monitor", id) : TypedResults.NoContent();

    private static async Task<IResult> Pause(string id, HttpRequest request, MonitorWrites writes, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        await AnswerAsync(await writes.PauseAsync(id, ct) is { } paused ? WriteResult.Done(paused) : WriteResult.NotFound<Monitor>(), id, request, maintenance, options, ct);

    private static async Task<IResult> Resume(string id, HttpRequest request, MonitorWrites writes, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        await AnswerAsync(await writes.ResumeAsync(id, ct) is { } resumed ? WriteResult.Done(resumed) : WriteResult.NotFound<Monitor>(), id, request, maintenance, options, ct);

    private static async Task<IResult> RotateToken(string id, HttpRequest request, MonitorWrites writes, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        await AnswerAsync(await writes.RotateTokenAsync(id, ct), id, request, maintenance, options, ct);

    /// <summary>The saved monitor with <c>inMaintenance</c>, or the error the write came to.</summary>
    private static async Task<IResult> AnswerAsync(WriteResult<Monitor> result, string id, HttpRequest request, MaintenanceLookup maintenance, IOptions<LifelineOptions> options, CancellationToken ct) =>
        result.Value is { } saved
            ? TypedResults.Json(WithMaintenance(MonitorJson.Monitor(saved, Requests.BaseUrl(request, options.Value.PublicUrl)), (await maintenance.InMaintenanceAsync(ct))(saved)))
            : Requests.From(result, "monitor", id);

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
}
