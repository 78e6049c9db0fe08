using System.Text.Json.Nodes;
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

    private static async Task<IResult> Create(HttpRequest request, IStatusPageStore store, PublicCache cache, DispatchOptions links, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var errors = new List<string>();
        var page = StatusPageInput.ApplyPage(body, new StatusPage { Id = Secrets.NewId(), Slug = "", Title = "", CreatedAt = clock.GetUtcNow() }, creating: true, errors);
        await StatusPageInput.CheckMonitorsAsync(page, store, errors, ct);
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        try
        {
            await store.AddPageAsync(page, ct);
        }
        catch (ConflictException ex)
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"{ex.Field}: {ex.Message}");
        }
        cache.Forget(PageKey(page.Slug));
        return TypedResults.Json(Json(page, links), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(IStatusPageStore store, DispatchOptions links, CancellationToken ct) =>
        TypedResults.Json(new JsonArray([.. (await store.PagesAsync(ct)).Select(p => (JsonNode)Json(p, links))]));

    private static async Task<IResult> Get(string id, IStatusPageStore store, DispatchOptions links, CancellationToken ct) =>
        await store.FindPageAsync(id, ct) is { } page ? TypedResults.Json(Json(page, links)) : Requests.NotFound("status page", id);

    private static async Task<IResult> Patch(string id, HttpRequest request, IStatusPageStore store, PublicCache cache, DispatchOptions links, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindPageAsync(id, ct) is not { } current)
        {
            return Requests.NotFound("status page", id);
        }
        var errors = new List<string>();
        var page = StatusPageInput.ApplyPage(body, current, creating: false, errors);
        if (body.ContainsKey("groups"))
        {
            await StatusPageInput.CheckMonitorsAsync(page, store, errors, ct);
        }
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        try
        {
            if (!await store.UpdatePageAsync(page, ct))
            {
                return Requests.NotFound("status page", id);
            }
        }
        catch (ConflictException ex)
        {
            return Requests.Error(StatusCodes.Status409Conflict, $"{ex.Field}: {ex.Message}");
        }
        cache.Forget(PageKey(current.Slug));
        cache.Forget(PageKey(page.Slug));
        return TypedResults.Json(Json(page, links));
    }

    private static async Task<IResult> Delete(string id, IStatusPageStore store, PublicCache cache, CancellationToken ct)
    {
        if (await store.FindPageAsync(id, ct) is not { } page || !await store.DeletePageAsync(id, ct))
        {
            return Requests.NotFound("status page", id);
        }
        cache.Forget(PageKey(page.Slug));
        return TypedResults.NoContent();
    }

    private static async Task<IResult> AddNote(string id, HttpRequest request, IStatusPageStore store, PublicCache cache, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindPageAsync(id, ct) is not { } page)
        {
            return Requests.NotFound("status page", id);
        }
        var now = clock.GetUtcNow();
        var errors = new List<string>();
        var note = StatusPageInput.ApplyNote(body, new StatusNote { Id = Secrets.NewId(), PageId = id, Title = "", CreatedAt = now, UpdatedAt = now }, creating: true, errors);
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        await store.AddNoteAsync(note, ct);
        cache.Forget(PageKey(page.Slug));
        return TypedResults.Json(StatusPageFormats.Note(note), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Notes(string id, IStatusPageStore store, CancellationToken ct) =>
        await store.FindPageAsync(id, ct) is null
            ? Requests.NotFound("status page", id)
            : TypedResults.Json(new JsonArray([.. (await store.NotesAsync(id, MaxNotesListed, ct)).Select(n => (JsonNode)StatusPageFormats.Note(n))]));

    private static async Task<IResult> GetNote(string id, string noteId, IStatusPageStore store, CancellationToken ct) =>
        await store.FindNoteAsync(id, noteId, ct) is { } note ? TypedResults.Json(StatusPageFormats.Note(note)) : Requests.NotFound("incident note", noteId);

    private static async Task<IResult> PatchNote(string id, string noteId, HttpRequest request, IStatusPageStore store, PublicCache cache, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindPageAsync(id, ct) is not { } page || await store.FindNoteAsync(id, noteId, ct) is not { } current)
        {
            return Requests.NotFound("incident note", noteId);
        }
        var errors = new List<string>();
        var note = StatusPageInput.ApplyNote(body, current, creating: false, errors) with { UpdatedAt = clock.GetUtcNow() };
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        if (!await store.UpdateNoteAsync(note, ct))
        {
            return Requests.NotFound("incident note", noteId);
        }
        cache.Forget(PageKey(page.Slug));
        return TypedResults.Json(StatusPageFormats.Note(note));
    }

    private static async Task<IResult> DeleteNote(string id, string noteId, IStatusPageStore store, PublicCache cache, CancellationToken ct)
    {
        if (await store.FindPageAsync(id, ct) is not { } page || !await store.DeleteNoteAsync(id, noteId, ct))
        {
            return Requests.NotFound("incident note", noteId);
        }
        cache.Forget(PageKey(page.Slug));
        return TypedResults.NoContent();
    }

    /// <summary>The cache entries of a page (its HTML, JSON and feed).</summary>
    internal static string PageKey(string slug) => $"page:{slug}:";

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
