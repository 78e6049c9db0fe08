namespace Lifeline.Core;

/// <summary>
/// Public status pages, their incident notes, and the reads a page needs: its monitors and their
/// incidents, for many monitors at once (never one query per monitor).
/// </summary>
public interface IStatusPageStore
{
    /// <summary>Stores a new page; throws <see cref="ConflictException"/> (field "slug") when another page has its slug.</summary>
    Task AddPageAsync(StatusPage page, CancellationToken ct);

    Task<StatusPage?> FindPageAsync(string id, CancellationToken ct);

    Task<StatusPage?> FindPageBySlugAsync(string slug, CancellationToken ct);

    /// <summary>Every page, in slug order.</summary>
    Task<IReadOnlyList<StatusPage>> PagesAsync(CancellationToken ct);

    /// <summary>Saves an edited page (all but id and creation time); false when the id is unknown; <see cref="ConflictException"/> on a taken slug.</summary>
    Task<bool> UpdatePageAsync(StatusPage page, CancellationToken ct);

    /// <summary>Deletes a page and its notes; false when the id is unknown.</summary>
    Task<bool> DeletePageAsync(string id, CancellationToken ct);

    Task AddNoteAsync(StatusNote note, CancellationToken ct);

    Task<StatusNote?> FindNoteAsync(string pageId, string noteId, CancellationToken ct);

    /// <summary>The page's newest <paramref name="limit"/> notes, newest first.</summary>
    Task<IReadOnlyList<StatusNote>> NotesAsync(string pageId, int limit, CancellationToken ct);

    /// <summary>Saves a note's title, body, state and update time; false when unknown.</summary>
    Task<bool> UpdateNoteAsync(StatusNote note, CancellationToken ct);

    Task<bool> DeleteNoteAsync(string pageId, string noteId, CancellationToken ct);

    /// <summary>The monitors with these ids that exist, in one read (in no particular order).</summary>
    Task<IReadOnlyList<Monitor>> MonitorsAsync(IReadOnlyCollection<string> ids, CancellationToken ct);

    /// <summary>
    /// The incidents of these monitors still open or ended at or after <paramref name="from"/>, in
    /// one read, oldest first.
    /// </summary>
    Task<IReadOnlyList<Incident>> IncidentsSinceAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, CancellationToken ct);

    /// <summary>The monitor whose badge key this is; null when none.</summary>
    Task<Monitor?> FindByBadgeKeyAsync(string badgeKey, CancellationToken ct);
}
