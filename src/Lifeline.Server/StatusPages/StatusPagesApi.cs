using System.Text.Json.Nodes;
using Lifeline.Server.Edits;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.StatusPages;

/// <summary>/api/v1/status-pages: status pages and their incident notes (CONTRACT §7). Writes need a full key (the group's filter).</summary>
internal static class StatusPagesApi
{
    private const int MaxNotesListed = 200;

    public static RouteGroupBuilder MapStatusPages(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/status-pages");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Patch);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/incidents", AddNote);
        group.MapGet("/{id}/incidents", Notes);
        group.MapGet("/{id}/incidents/{noteId}", GetNote);
        group.MapPatch("/{id}/incidents/{noteId}", PatchNote);
        group.MapDelete("/{id}/incidents/{noteId}", DeleteNote);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, StatusPageWrites writes, DispatchOptions links, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.CreateAsync(body, ct);
        return result.Value is { } page
            ? TypedResults.Json(Json(page, links), statusCode: StatusCodes.Status201Created)
            : Requests.From(result, "status page", "");
    }

    private static async Task<IResult> List(IStatusPageStore store, DispatchOptions links, CancellationToken ct) =>
        TypedResults.Json(new JsonArray([.. (await store.PagesAsync(ct)).Select(p => (JsonNode)Json(p, links))]));

    private static async Task<IResult> Get(string id, IStatusPageStore store, DispatchOptions links, CancellationToken ct) =>
        await store.FindPageAsync(id, ct) is { } page ? TypedResults.Json(Json(page, links)) : Requests.NotFound("status page", id);

    private static async Task<IResult> Patch(string id, HttpRequest request, StatusPageWrites writes, DispatchOptions links, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.ChangeAsync(id, body, ct);
        return result.Value is { } page ? TypedResults.Json(Json(page, links)) : Requests.From(result, "status page", id);
    }

    private static async Task<IResult> Delete(string id, StatusPageWrites writes, CancellationToken ct) =>
        await writes.DeleteAsync(id, ct) ? TypedResults.NoContent() : Requests.NotFound("status page", id);

    private static async Task<IResult> AddNote(string id, HttpRequest request, StatusPageWrites writes, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.AddNoteAsync(id, body, ct);
        return result.Value is { } note
            ? TypedResults.Json(StatusPageFormats.Note(note), statusCode: StatusCodes.Status201Created)
            : Requests.From(result, "status page", id);
    }

    private static async Task<IResult> Notes(string id, IStatusPageStore store, CancellationToken ct) =>
        await store.FindPageAsync(id, ct) is null
            ? Requests.NotFound("status page", id)
            : TypedResults.Json(new JsonArray([.. (await store.NotesAsync(id, MaxNotesListed, ct)).Select(n => (JsonNode)StatusPageFormats.Note(n))]));

    private static async Task<IResult> GetNote(string id, string noteId, IStatusPageStore store, CancellationToken ct) =>
        await store.FindNoteAsync(id, noteId, ct) is { } note ? TypedResults.Json(StatusPageFormats.Note(note)) : Requests.NotFound("incident note", noteId);

    private static async Task<IResult> PatchNote(string id, string noteId, HttpRequest request, StatusPageWrites writes, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.ChangeNoteAsync(id, noteId, body, ct);
        return result.Value is { } note ? TypedResults.Json(StatusPageFormats.Note(note)) : Requests.From(result, "incident note", noteId);
    }

    private static async Task<IResult> DeleteNote(string id, string noteId, StatusPageWrites writes, CancellationToken ct) =>
        await writes.DeleteNoteAsync(id, noteId, ct) ? TypedResults.NoContent() : Requests.NotFound("incident note", noteId);

    /// <summary>The cache entries of a page (its HTML, JSON and feed).</summary>
    internal static string PageKey(string slug) => StatusPageWrites.PageKey(slug);

    private static JsonObject Json(StatusPage p, DispatchOptions links) => new()
    {
        ["id"] = p.Id,
        ["slug"] = p.Slug,
        ["title"] = p.Title,
        ["description"] = p.Description,
        ["groups"] = new JsonArray([.. p.Groups.Select(g => (JsonNode)new JsonObject
        {
            ["name"] = g.Name,
            ["monitors"] = new JsonArray([.. g.Monitors.Select(m => JsonValue.Create(m))]),
        })]),
        ["url"] = $"{links.PublicUrl}/status/{p.Slug}",
        ["createdAt"] = MonitorJson.Time(p.CreatedAt),
    };
}
