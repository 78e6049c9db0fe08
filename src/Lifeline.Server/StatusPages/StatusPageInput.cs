using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Server.StatusPages;

/// <summary>
/// Applies the fields of a status page or note body, checking each and naming the field in every
/// error: <c>slug</c>, <c>groups</c>, <c>groups[1].name</c>, <c>groups[1].monitors</c>, <c>state</c>.
/// </summary>
internal static class StatusPageInput
{
    private static readonly string[] PageFields = ["slug", "title", "description", "groups"];
    private static readonly string[] NoteFields = ["title", "body", "state"];
    private const int MaxTitle = 200, MaxDescription = 2000, MaxBody = 20_000, MaxGroups = 100, MaxMonitors = 1000;

    public static StatusPage ApplyPage(JsonObject body, StatusPage page, bool creating, List<FieldError> errors)
    {
        Unknown(body, PageFields, errors);
        if (creating || body.ContainsKey("slug"))
        {
            if (!TryString(body["slug"], out var slug) || !StatusPage.IsValidSlug(slug))
            {
                errors.Add(new("slug", "slug is required: 1 to 64 characters of lower-case letters a-z, digits and '-', not starting with '-'"));
            }
            else
            {
                page = page with { Slug = slug };
            }
        }
        if (creating || body.ContainsKey("title"))
        {
            if (!TryString(body["title"], out var title) || string.IsNullOrWhiteSpace(title) || title.Length > MaxTitle)
            {
                errors.Add(new("title", $"title is required (a non-empty string of at most {MaxTitle} characters)"));
            }
            else
            {
                page = page with { Title = title.Trim() };
            }
        }
        if (body.ContainsKey("description"))
        {
            if (body["description"] is null)
            {
                page = page with { Description = "" };
            }
            else if (!TryString(body["description"], out var description) || description.Length > MaxDescription)
            {
                errors.Add(new("description", $"description must be a string of at most {MaxDescription} characters"));
            }
            else
            {
                page = page with { Description = description.Trim() };
            }
        }
        if (body.ContainsKey("groups"))
        {
            page = page with { Groups = Groups(body["groups"], errors) ?? page.Groups };
        }
        return page;
    }

    private static List<StatusGroup>? Groups(JsonNode? node, List<FieldError> errors)
    {
        if (node is not JsonArray array || array.Count > MaxGroups)
        {
            errors.Add(new("groups", $"groups must be an array of at most {MaxGroups} objects {{\"name\", \"monitors\": [ids]}}"));
            return null;
        }
        var groups = new List<StatusGroup>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject group)
            {
                errors.Add(new($"groups[{i}]", $"groups[{i}] must be an object {{\"name\", \"monitors\": [ids]}}"));
                continue;
            }
            foreach (var key in group.Select(p => p.Key).Where(k => k is not ("name" or "monitors")))
            {
                errors.Add(new($"groups[{i}].{key}", $"groups[{i}].{key} is not a field of a group (name, monitors)"));
            }
            if (!TryString(group["name"], out var name) || string.IsNullOrWhiteSpace(name) || name.Length > MaxTitle)
            {
                errors.Add(new($"groups[{i}].name", $"groups[{i}].name is required (a non-empty string of at most {MaxTitle} characters)"));
                continue;
            }
            var monitors = new List<string>();
            if (group["monitors"] is { } list)
            {
                if (list is not JsonArray ids || ids.Count > MaxMonitors || ids.Any(id => !TryString(id, out _)))
                {
                    errors.Add(new($"groups[{i}].monitors", $"groups[{i}].monitors must be an array of monitor ids (strings)"));
                    continue;
                }
                monitors.AddRange(ids.Select(id => id!.GetValue<string>()).Distinct(StringComparer.Ordinal));
            }
            groups.Add(new StatusGroup(name.Trim(), monitors));
        }
        return groups;
    }

    /// <summary>Every monitor a page lists must exist (checked with one read).</summary>
    public static async Task CheckMonitorsAsync(StatusPage page, IStatusPageStore store, List<FieldError> errors, CancellationToken ct)
    {
        var ids = page.MonitorIds;
        if (ids.Count == 0)
        {
            return;
        }
        var found = (await store.MonitorsAsync(ids, ct)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < page.Groups.Count; i++)
        {
            foreach (var id in page.Groups[i].Monitors.Where(id => !found.Contains(id)))
            {
                errors.Add(new($"groups[{i}].monitors", $"groups[{i}].monitors: unknown monitor id '{id}'"));
            }
        }
    }

    public static StatusNote ApplyNote(JsonObject body, StatusNote note, bool creating, List<FieldError> errors)
    {
        Unknown(body, NoteFields, errors);
        if (creating || body.ContainsKey("title"))
        {
            if (!TryString(body["title"], out var title) || string.IsNullOrWhiteSpace(title) || title.Length > MaxTitle)
            {
                errors.Add(new("title", $"title is required (a non-empty string of at most {MaxTitle} characters)"));
            }
            else
            {
                note = note with { Title = title.Trim() };
            }
        }
        if (body.ContainsKey("body"))
        {
            if (body["body"] is null)
            {
                note = note with { Body = "" };
            }
            else if (!TryString(body["body"], out var text) || text.Length > MaxBody)
            {
                errors.Add(new("body", $"body must be a string of at most {MaxBody} characters"));
            }
            else
            {
                note = note with { Body = text.Trim() };
            }
        }
        if (body.ContainsKey("state"))
        {
            if (!TryString(body["state"], out var text) || !NoteStates.TryParse(text, out var state))
            {
                errors.Add(new("state", "state must be one of investigating, identified, monitoring, resolved"));
            }
            else
            {
                note = note with { State = state };
            }
        }
        return note;
    }

    private static void Unknown(JsonObject body, string[] known, List<FieldError> errors)
    {
        foreach (var key in body.Select(p => p.Key).Where(k => !known.Contains(k)))
        {
            errors.Add(new(key, $"{key} is not a field here (known: {string.Join(", ", known)})"));
        }
    }

    private static bool TryString(JsonNode? node, out string value)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }
        value = "";
        return false;
    }
}
