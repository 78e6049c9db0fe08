using System.Text.Json.Nodes;
using Lifeline.Server.StatusPages;

namespace Lifeline.Server.Edits;

/// <summary>
/// Every change to status pages and their incident notes, for the admin API and the app alike: the
/// same input rules (<see cref="StatusPageInput"/>), and the public page's cached copy dropped after
/// each change so readers see it at once.
/// </summary>
internal sealed class StatusPageWrites(IStatusPageStore store, PublicCache cache, TimeProvider clock)
{
    /// <summary>Creates a page from a create body (CONTRACT §7); a taken slug is a conflict on <c>slug</c>.</summary>
    public async Task<WriteResult<StatusPage>> CreateAsync(JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new List<FieldError>();
        var page = StatusPageInput.ApplyPage(body, new StatusPage { Id = Secrets.NewId(), Slug = "", Title = "", CreatedAt = clock.GetUtcNow() }, creating: true, errors);
        await StatusPageInput.CheckMonitorsAsync(page, store, errors, ct);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<StatusPage>(errors);
        }
        try
        {
            await store.AddPageAsync(page, ct);
        }
        catch (ConflictException ex)
        {
            return WriteResult.Conflict<StatusPage>(Conflict(ex));
        }
        cache.Forget(PageKey(page.Slug));
        return WriteResult.Done(page);
    }

    /// <summary>Applies the fields of a PATCH body; the monitors are checked when the groups change.</summary>
    public async Task<WriteResult<StatusPage>> ChangeAsync(string id, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await store.FindPageAsync(id, ct) is not { } current)
        {
            return WriteResult.NotFound<StatusPage>();
        }
        var errors = new List<FieldError>();
        var page = StatusPageInput.ApplyPage(body, current, creating: false, errors);
        if (body.ContainsKey("groups"))
        {
            await StatusPageInput.CheckMonitorsAsync(page, store, errors, ct);
        }
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<StatusPage>(errors);
        }
        try
        {
            if (!await store.UpdatePageAsync(page, ct))
            {
                return WriteResult.NotFound<StatusPage>();
            }
        }
        catch (ConflictException ex)
        {
            return WriteResult.Conflict<StatusPage>(Conflict(ex));
        }
        // The old address stops answering and the new one shows the change.
        cache.Forget(PageKey(current.Slug));
        cache.Forget(PageKey(page.Slug));
        return WriteResult.Done(page);
    }

    /// <summary>Deletes a page and its notes; false when the id is unknown.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        if (await store.FindPageAsync(id, ct) is not { } page || !await store.DeletePageAsync(id, ct))
        {
            return false;
        }
        cache.Forget(PageKey(page.Slug));
        return true;
    }

    /// <summary>Posts an incident note on a page (title, body, state; investigating unless given).</summary>
    public async Task<WriteResult<StatusNote>> AddNoteAsync(string pageId, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await store.FindPageAsync(pageId, ct) is not { } page)
        {
            return WriteResult.NotFound<StatusNote>();
        }
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        var note = StatusPageInput.ApplyNote(body, new StatusNote { Id = Secrets.NewId(), PageId = pageId, Title = "", CreatedAt = now, UpdatedAt = now }, creating: true, errors);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<StatusNote>(errors);
        }
        await store.AddNoteAsync(note, ct);
        cache.Forget(PageKey(page.Slug));
        return WriteResult.Done(note);
    }

    /// <summary>Applies the fields of a note's PATCH body (a new state, say <c>resolved</c>).</summary>
    public async Task<WriteResult<StatusNote>> ChangeNoteAsync(string pageId, string noteId, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await store.FindPageAsync(pageId, ct) is not { } page || await store.FindNoteAsync(pageId, noteId, ct) is not { } current)
        {
            return WriteResult.NotFound<StatusNote>();
        }
        var errors = new List<FieldError>();
        var note = StatusPageInput.ApplyNote(body, current, creating: false, errors) with { UpdatedAt = clock.GetUtcNow() };
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<StatusNote>(errors);
        }
        if (!await store.UpdateNoteAsync(note, ct))
        {
            return WriteResult.NotFound<StatusNote>();
        }
        cache.Forget(PageKey(page.Slug));
        return WriteResult.Done(note);
    }

    public async Task<bool> DeleteNoteAsync(string pageId, string noteId, CancellationToken ct)
    {
        if (await store.FindPageAsync(pageId, ct) is not { } page || !await store.DeleteNoteAsync(pageId, noteId, ct))
        {
            return false;
        }
        cache.Forget(PageKey(page.Slug));
        return true;
    }

    private static FieldError Conflict(ConflictException ex) => new(ex.Field, $"{ex.Field}: {ex.Message}");

    /// <summary>The cache entries of a page (its HTML, JSON and feed).</summary>
    internal static string PageKey(string slug) => $"page:{slug}:";
}
