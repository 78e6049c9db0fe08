using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore : IStatusPageStore
{
    public Task AddPageAsync(StatusPage page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Writer.WriteAsync(ctx => WritePage(ctx, StatusPageColumns.InsertPage, page) > 0);
    }

    public Task<StatusPage?> FindPageAsync(string id, CancellationToken ct) => Task.FromResult(FindPage("id = @key", id));

    public Task<StatusPage?> FindPageBySlugAsync(string slug, CancellationToken ct) => Task.FromResult(FindPage("slug = @key", slug));

    public Task<IReadOnlyList<StatusPage>> PagesAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<StatusPage> rows = Query(connection, $"SELECT {StatusPageColumns.PageColumns} FROM status_pages ORDER BY slug", StatusPageColumns.ReadPage);
        return Task.FromResult(rows);
    }

    public Task<bool> UpdatePageAsync(StatusPage page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Writer.WriteAsync(ctx => WritePage(ctx, StatusPageColumns.UpdatePage, page) > 0);
    }

    public Task<bool> DeletePageAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            ctx.Exec("DELETE FROM status_notes WHERE page_id = @id", ("@id", id));
            return ctx.Exec("DELETE FROM status_pages WHERE id = @id", ("@id", id)) > 0;
        });

    public Task AddNoteAsync(StatusNote note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(note);
        return Writer.WriteAsync(ctx => ctx.Exec(StatusPageColumns.InsertNote, StatusPageColumns.NoteParameters(note)));
    }

    public Task<StatusNote?> FindNoteAsync(string pageId, string noteId, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {StatusPageColumns.NoteColumns} FROM status_notes WHERE id = @id AND page_id = @page",
            StatusPageColumns.ReadNote, ("@id", noteId), ("@page", pageId)).FirstOrDefault());
    }

    public Task<IReadOnlyList<StatusNote>> NotesAsync(string pageId, int limit, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<StatusNote> rows = Query(connection,
            $"SELECT {StatusPageColumns.NoteColumns} FROM status_notes WHERE page_id = @page ORDER BY created_at DESC, id DESC LIMIT @limit",
            StatusPageColumns.ReadNote, ("@page", pageId), ("@limit", limit));
        return Task.FromResult(rows);
    }

    public Task<bool> UpdateNoteAsync(StatusNote note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(note);
        return Writer.WriteAsync(ctx => ctx.Exec(StatusPageColumns.UpdateNote, StatusPageColumns.NoteParameters(note)) > 0);
    }

    public Task<bool> DeleteNoteAsync(string pageId, string noteId, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("DELETE FROM status_notes WHERE id = @id AND page_id = @page", ("@id", noteId), ("@page", pageId)) > 0);

    public async Task<IReadOnlyList<Monitor>> MonitorsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }
        // Pings waiting in the journal reach the monitor rows first, so states are current.
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id IN (SELECT value FROM json_each(@ids))",
            MonitorColumns.Read, ("@ids", JsonSerializer.Serialize(ids)));
    }

    public Task<IReadOnlyList<Incident>> IncidentsSinceAsync(IReadOnlyCollection<string> monitorIds, DateTimeOffset from, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(monitorIds);
        if (monitorIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<Incident>>([]);
        }
        using var connection = OpenReader();
        IReadOnlyList<Incident> rows = Query(connection,
            $"SELECT {MonitorColumns.IncidentColumns} FROM incidents WHERE monitor_id IN (SELECT value FROM json_each(@ids)) " +
            "AND (ended_at IS NULL OR ended_at >= @from) ORDER BY started_at, id",
            MonitorColumns.ReadIncident, ("@ids", JsonSerializer.Serialize(monitorIds)), ("@from", Time.Ms(from)));
        return Task.FromResult(rows);
    }

    public async Task<Monitor?> FindByBadgeKeyAsync(string badgeKey, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE badge_key = @key", MonitorColumns.Read, ("@key", badgeKey)).FirstOrDefault();
    }

    private StatusPage? FindPage(string where, string key)
    {
        using var connection = OpenReader();
        return Query(connection, $"SELECT {StatusPageColumns.PageColumns} FROM status_pages WHERE {where}", StatusPageColumns.ReadPage, ("@key", key)).FirstOrDefault();
    }

    private static int WritePage(WriteContext ctx, string sql, StatusPage page)
    {
        try
        {
            return ctx.Exec(sql, StatusPageColumns.PageParameters(page));
        }
        catch (SqliteException ex) when (IsUniqueViolation(ex))
        {
            throw ex.Message.Contains("slug", StringComparison.Ordinal)
                ? new ConflictException("slug", "another status page has this slug")
                : new ConflictException("id", "a status page with this id exists");
        }
    }
}
