using System.Globalization;
using System.Text.Json.Nodes;
using Lifeline.Server.App.Forms;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.StatusPages;

/// <summary>
/// The status page form, as typed. Groups are numbered rows (<c>group-0-name</c>,
/// <c>group-0-monitors</c>, ...) and <c>group-count</c> says how many were shown, so "add another
/// group" and "remove" are plain submit buttons (<c>op</c>) that re-render the form with what was
/// typed, no script needed. <see cref="ToBody"/> makes the admin API's body, leaving out blank rows,
/// so the API's rules (<c>StatusPageInput</c>) decide what is valid.
/// </summary>
public sealed class StatusPageForm
{
    /// <summary>The most group rows the form keeps (the API allows 100 groups).</summary>
    public const int MaxRows = 101;

    public const string AddGroup = "add-group";
    public const string RemoveGroup = "remove-group-";

    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<GroupRow> Groups { get; set; } = [];

    /// <summary>Which button sent the form: save (empty), <see cref="AddGroup"/> or <see cref="RemoveGroup"/> and a row number.</summary>
    public string Op { get; set; } = "";

    /// <summary>One group row: a name and the ids of the monitors ticked, in the order they were shown.</summary>
    public sealed class GroupRow
    {
        public string Name { get; set; } = "";
        public List<string> Monitors { get; set; } = [];

        public bool IsBlank => Name.Length == 0 && Monitors.Count == 0;
    }

    /// <summary>A page's fields, with one blank row after its groups for a new group.</summary>
    public static StatusPageForm From(StatusPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new StatusPageForm
        {
            Slug = page.Slug,
            Title = page.Title,
            Description = page.Description,
            Groups = [.. page.Groups.Select(g => new GroupRow { Name = g.Name, Monitors = [.. g.Monitors] }), new GroupRow()],
        };
    }

    /// <summary>A new page's form: one blank group row.</summary>
    public static StatusPageForm Blank() => new() { Groups = [new GroupRow()] };

    public static StatusPageForm From(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var count = int.TryParse(FormValues.Text(form, "group-count"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 0, MaxRows) : 0;
        return new StatusPageForm
        {
            Slug = FormValues.Text(form, "slug"),
            Title = FormValues.Text(form, "title"),
            Description = FormValues.Text(form, "description"),
            Groups = [.. Enumerable.Range(0, count).Select(i => new GroupRow
            {
                Name = FormValues.Text(form, $"group-{i}-name"),
                Monitors = [.. FormValues.Values(form, $"group-{i}-monitors").Distinct(StringComparer.Ordinal)],
            })],
            Op = FormValues.Text(form, "op"),
        };
    }

    /// <summary>
    /// Applies an "add another group" or "remove" button; true when it was one (then nothing is saved).
    /// </summary>
    public bool ApplyRowButton()
    {
        if (Op == AddGroup)
        {
            if (Groups.Count < MaxRows)
            {
                Groups.Add(new GroupRow());
            }
            return true;
        }
        if (Op.StartsWith(RemoveGroup, StringComparison.Ordinal))
        {
            if (int.TryParse(Op.AsSpan(RemoveGroup.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var row) && row < Groups.Count)
            {
                Groups.RemoveAt(row);
            }
            if (Groups.Count == 0)
            {
                Groups.Add(new GroupRow());
            }
            return true;
        }
        return false;
    }

    /// <summary>The API's body; <paramref name="rows"/> gives the form row of each group sent (blank rows are left out).</summary>
    public JsonObject ToBody(out IReadOnlyList<int> rows)
    {
        var sent = Enumerable.Range(0, Groups.Count).Where(i => !Groups[i].IsBlank).ToList();
        rows = sent;
        return FormValues.AsReceived(new JsonObject
        {
            ["slug"] = Slug,
            ["title"] = Title,
            ["description"] = Description,
            ["groups"] = new JsonArray([.. sent.Select(i => (JsonNode)new JsonObject
            {
                ["name"] = Groups[i].Name,
                ["monitors"] = FormValues.Array(Groups[i].Monitors),
            })]),
        });
    }

    /// <summary>
    /// The API's errors with their group fields renamed to the form's rows: <c>groups[0].name</c>
    /// becomes <c>group-2-name</c> when the first group sent was the third row. Messages stay the API's.
    /// </summary>
    public static IReadOnlyList<FieldError> OnRows(IReadOnlyList<FieldError> errors, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(rows);
        return [.. errors.Select(e => RowField(e.Field, rows) is { } field ? e with { Field = field } : e)];
    }

    private static string? RowField(string field, IReadOnlyList<int> rows)
    {
        if (!field.StartsWith("groups[", StringComparison.Ordinal) || field.IndexOf(']', StringComparison.Ordinal) is not (> 7 and var close)
            || !int.TryParse(field.AsSpan(7, close - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= rows.Count)
        {
            return null;
        }
        return field[(close + 1)..] == ".monitors" ? $"group-{rows[index]}-monitors" : $"group-{rows[index]}-name";
    }
}
