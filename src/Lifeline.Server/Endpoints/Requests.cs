using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.Endpoints;

/// <summary>Shared request plumbing for the admin API: JSON bodies read by hand so every error names its field.</summary>
internal static class Requests
{
    public static IResult Error(int status, string message) =>
        TypedResults.Json(new { error = message }, statusCode: status);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static IResult BadRequest(IReadOnlyList<string> errors) =>
        TypedResults.Json(new { error = string.Join("; ", errors), errors }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string what, string id) => Error(StatusCodes.Status404NotFound, $"{what} '{id}' not found");

    /// <summary>Reads the body as one JSON object, or says why it is not one.</summary>
    public static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0)
        {
            return (null, "request body is empty: send a JSON object");
        }
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
            return node is JsonObject obj ? (obj, null) : (null, "request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, $"request body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The base used in push URLs: the configured public URL, else the request's own.</summary>
    public static string BaseUrl(HttpRequest request, string? publicUrl) =>
        !string.IsNullOrEmpty(publicUrl) ? publicUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}";

    public static bool TryLimit(string? text, int fallback, int max, out int limit, out string? error)
    {
        error = null;
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > max)
        {
            error = $"limit must be a whole number from 1 to {max}";
            return false;
        }
        return true;
    }
}
