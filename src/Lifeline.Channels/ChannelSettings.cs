using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Channels;

/// <summary>Reading and checking the settings object of a channel.</summary>
internal static class ChannelSettings
{
    public static string? String(JsonObject settings, string field) =>
        settings.TryGetPropertyValue(field, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string Required(JsonObject settings, string field) =>
        String(settings, field) ?? throw new DeliveryException($"channel setting '{field}' is missing", permanent: true);

    /// <summary>A string or a number, as text (chat ids arrive either way).</summary>
    public static string? Scalar(JsonObject settings, string field)
    {
        if (!settings.TryGetPropertyValue(field, out var node) || node is not JsonValue value)
        {
            return null;
        }
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        };
    }

    /// <summary>A whole number given as a number or as a numeric string; null when absent or not a whole number.</summary>
    public static long? Integer(JsonObject settings, string field) =>
        Scalar(settings, field) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>The strings of an array field; a single string counts as a one-item array. Null when absent or of another shape.</summary>
    public static IReadOnlyList<string>? Strings(JsonObject settings, string field)
    {
        if (!settings.TryGetPropertyValue(field, out var node) || node is null)
        {
            return null;
        }
        if (node is JsonValue single && single.TryGetValue<string>(out var one))
        {
            return [one];
        }
        if (node is not JsonArray array)
        {
            return null;
        }
        var items = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue value || !value.TryGetValue<string>(out var text))
            {
                return null;
            }
            items.Add(text);
        }
        return items;
    }

    /// <summary>Adds an error unless the field holds an absolute http(s) URL.</summary>
    public static void RequireUrl(JsonObject settings, string field, List<string> errors, bool optional = false)
    {
        var text = String(settings, field);
        if (text is null)
        {
            if (!optional)
            {
                errors.Add($"'{field}' is required (an http or https URL)");
            }
            return;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"'{field}' must be an absolute http or https URL");
        }
    }

    public static void RequireString(JsonObject settings, string field, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(String(settings, field)))
        {
            errors.Add($"'{field}' is required (a string)");
        }
    }
}
