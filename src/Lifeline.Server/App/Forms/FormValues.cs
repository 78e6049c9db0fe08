using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.Forms;

/// <summary>
/// Turns typed form text into the JSON the admin API takes, so the API's own input rules check it:
/// a number field holding "abc" reaches them as a string and gets the API's message about it.
/// </summary>
public static class FormValues
{
    /// <summary>The form's text, trimmed; empty when absent.</summary>
    public static string Text(IFormCollection form, string name) => form.TryGetValue(name, out var value) ? (value.ToString() ?? "").Trim() : "";

    /// <summary>Every value of a repeated field (checkboxes, a multiple select), without blanks.</summary>
    public static List<string> Values(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) ? [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())] : [];

    /// <summary>A checkbox: checked when the form carries it.</summary>
    public static bool Checked(IFormCollection form, string name) => form.ContainsKey(name);

    /// <summary>Items separated by commas or new lines, trimmed, blanks dropped.</summary>
    public static List<string> Split(string text) =>
        [.. text.Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>One item per line, trimmed, blanks dropped (conditions may hold commas).</summary>
    public static List<string> Lines(string text) =>
        [.. text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>A number when the text is one, else the text itself (for the API's rules to refuse); null when blank.</summary>
    public static JsonNode? Number(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonNode.Parse(number.ToString("R", CultureInfo.InvariantCulture))
            : JsonValue.Create(text);
    }

    /// <summary>A time as the app shows it: <c>2026-03-29 01:00 UTC</c>, with seconds when <paramref name="seconds"/>.</summary>
    public static string When(DateTimeOffset at, bool seconds = false) =>
        at.UtcDateTime.ToString(seconds ? "yyyy-MM-dd HH:mm:ss 'UTC'" : "yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    /// <summary>Seconds as the form shows them: <c>60</c>, <c>0.5</c>.</summary>
    public static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// The body as the API would parse it from the wire: values read back from JSON text, so numbers
    /// answer to whole-number and decimal reads alike.
    /// </summary>
    public static JsonObject AsReceived(JsonObject body) => JsonNode.Parse(body.ToJsonString())!.AsObject();
}
