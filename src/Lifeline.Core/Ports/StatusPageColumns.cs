using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Core;

/// <summary>
/// The status page and note tables' columns, shared by both stores (times in Unix milliseconds,
/// groups JSON text: <c>[{"name":..., "monitors":[ids]}]</c>).
/// </summary>
public static class StatusPageColumns
{
    public const string PageColumns = "id, slug, title, description, groups, created_at";

    public const string InsertPage =
        "INSERT INTO status_pages (" + PageColumns + ") VALUES (@id, @slug, @title, @description, @groups, @created)";

    public const string UpdatePage =
        "UPDATE status_pages SET slug = @slug, title = @title, description = @description, groups = @groups WHERE id = @id";

    public const string NoteColumns = "id, page_id, title, body, state, created_at, updated_at";

    public const string InsertNote =
        "INSERT INTO status_notes (" + NoteColumns + ") VALUES (@id, @page, @title, @body, @state, @created, @updated)";

    public const string UpdateNote =
        "UPDATE status_notes SET title = @title, body = @body, state = @state, updated_at = @updated WHERE id = @id AND page_id = @page";

    private sealed record GroupRow(string Name, List<string> Monitors);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static StatusPage ReadPage(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new()
        {
            Id = r.GetString(0),
            Slug = r.GetString(1),
            Title = r.GetString(2),
            Description = r.GetString(3),
            Groups = [.. (JsonSerializer.Deserialize<List<GroupRow>>(r.GetString(4), Json) ?? []).Select(g => new StatusGroup(g.Name, g.Monitors))],
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
        };
    }

    public static (string, object?)[] PageParameters(StatusPage p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return
        [
            ("@id", p.Id),
            ("@slug", p.Slug),
            ("@title", p.Title),
            ("@description", p.Description),
            ("@groups", JsonSerializer.Serialize(p.Groups.Select(g => new GroupRow(g.Name, [.. g.Monitors])), Json)),
            ("@created", p.CreatedAt.ToUnixTimeMilliseconds()),
        ];
    }

    public static StatusNote ReadNote(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new()
        {
            Id = r.GetString(0),
            PageId = r.GetString(1),
            Title = r.GetString(2),
            Body = r.GetString(3),
            State = NoteStates.TryParse(r.GetString(4), out var state) ? state : NoteState.Investigating,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
        };
    }

    public static (string, object?)[] NoteParameters(StatusNote n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return
        [
            ("@id", n.Id),
            ("@page", n.PageId),
            ("@title", n.Title),
            ("@body", n.Body),
            ("@state", NoteStates.Of(n.State)),
            ("@created", n.CreatedAt.ToUnixTimeMilliseconds()),
            ("@updated", n.UpdatedAt.ToUnixTimeMilliseconds()),
        ];
    }
}
