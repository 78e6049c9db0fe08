using Npgsql;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore : IStatusPageStore
{
    public Task AddPageAsync(StatusPage page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        return InTransactionAsync(s => WritePageAsync(s, StatusPageColumns.InsertPage, page), ct);
    }

    public Task<StatusPage?> FindPageAsync(string id, CancellationToken ct) => FindPageAsync("id = @key", id, ct);

    public Task<StatusPage?> FindPageBySlugAsync(string slug, CancellationToken ct) => FindPageAsync("slug = @key", slug, ct);

    public Task<IReadOnlyList<StatusPage>> PagesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StatusPage>>(async s => await s.QueryAsync($"SELECT {StatusPageColumns.PageColumns} FROM status_pages ORDER BY slug", StatusPageColumns.ReadPage), ct);

    public async Task<bool> UpdatePageAsync(StatusPage page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        return await InTransactionAsync(s => WritePageAsync(s, StatusPageColumns.UpdatePage, page), ct) > 0;
    }

    public Task<bool> DeletePageAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync("DELETE FROM status_notes WHERE page_id = @id", ("@id", id));
            return await s.ExecAsync("DELETE FROM status_pages WHERE id = @id", ("@id", id)) > 0;
        }, ct);

    public Task AddNoteAsync(StatusNote note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(note);
        return InTransactionAsync(s => s.ExecAsync(StatusPageColumns.InsertNote, StatusPageColumns.NoteParameters(note)), ct);
    }

    public Task<StatusNote?> FindNoteAsync(string pageId, string noteId, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {StatusPageColumns.NoteColumns} FROM status_notes WHERE id = @id AND page_id = @page",
            StatusPageColumns.ReadNote, ("@id", noteId), ("@page", pageId))).FirstOrDefault(), ct);

    public Task<IReadOnlyList<StatusNote>> NotesAsync(string pageId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StatusNote>>(async s => await s.QueryAsync(
            $"SELECT {StatusPageColumns.NoteColumns} FROM status_notes WHERE page_id = @page ORDER BY created_at DESC, id DESC LIMIT @limit",
            StatusPageColumns.ReadNote, ("@page", pageId), ("@limit", limit)), ct);

    public async Task<bool> UpdateNoteAsync(StatusNote note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(note);
        return await InTransactionAsync(s => s.ExecAsync(StatusPageColumns.UpdateNote, StatusPageColumns.NoteParameters(note)), ct) > 0;
    }

    public async Task<bool> DeleteNoteAsync(string pageId, string noteId, CancellationToken ct) =>
        await InTransactionAsync(s => s.ExecAsync("DELETE FROM status_notes WHERE id = @id AND page_id = @page", ("@id", noteId), ("@page", pageId)), ct) > 0;

    public async Task<IReadOnlyList<Monitor>> MonitorsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }
        return await ReadAsync(s => s.QueryAsync($"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = ANY(@ids)", MonitorColumns.Read, ("@ids", ids.ToArray())), ct);
    }

    public async Task<IReadOnlyList<Incident>> IncidentsSinceAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(monitorIds);
        if (monitorIds.Count == 0)
        {
            return [];
        }
        return await ReadAsync(s => s.QueryAsync(
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id = ANY(@ids) AND (ended_at IS NULL OR ended_at >= @from) ORDER BY started_at, id",
            MonitorColumns.ReadIncident, ("@ids", monitorIds.ToArray()), ("@from", Time.Ms(from))), ct);
    }

    public Task<Monitor?> FindByBadgeKeyAsync(string badgeKey, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {MonitorColumns.Columns} FROM monitors WHERE badge_key = @key", MonitorColumns.Read, ("@key", badgeKey))).FirstOrDefault(), ct);

    private Task<StatusPage?> FindPageAsync(string where, string key, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {StatusPageColumns.PageColumns} FROM status_pages WHERE {where}", StatusPageColumns.ReadPage, ("@key", key))).FirstOrDefault(), ct);

    private static async Task<int> WritePageAsync(Session s, string sql, StatusPage page)
    {
        try
        {
            return await s.ExecAsync(sql, StatusPageColumns.PageParameters(page));
        }
        catch (PostgresException ex) when (IsUniqueViolation(ex))
        {
            throw ex.ConstraintName?.Contains("slug", StringComparison.Ordinal) == true
                ? new ConflictException("slug", "another status page has this slug")
                : new ConflictException("id", "a status page with this id exists");
        }
    }
}
