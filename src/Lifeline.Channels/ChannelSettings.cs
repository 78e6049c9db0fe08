using System.Text.Json.Nodes;

namespace Lifeline.Channels;

/// <summary>Reading and checking the settings object of a channel.</summary>
internal static class ChannelSettings
{
    public static string? String(JsonObject settings, string field) =>
        settings.TryGetPropertyValue(field, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string Required(JsonObject settings, string field) =>
        String(settings, field) ?? throw new DeliveryException($"channel setting '{field}' is missing", permanent: true);

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
