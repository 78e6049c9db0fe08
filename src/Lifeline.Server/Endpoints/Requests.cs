using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.Endpoints;

/// <summary>Shared request plumbing for the admin API: JSON bodies read by hand so every error names its field.</summary>
internal static class Requests
{
    /// <summary>A key given twice is refused rather than one of its values silently winning.</summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static IResult Error(int status, string message) =>
        TypedResults.Json(new { error = message }, statusCode: status);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static IResult BadRequest(IReadOnlyList<string> errors) =>
        TypedResults.Json(new { error = string.Join("; ", errors), errors }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult BadRequest(IReadOnlyList<FieldError> errors) => BadRequest([.. errors.Select(e => e.Message)]);

    /// <summary>The answer to a write that did not succeed: 400 with every error, 404, or 409.</summary>
    public static IResult From<T>(Edits.WriteResult<T> result, string what, string id) where T : class => result.Outcome switch
    {
        Edits.WriteOutcome.NotFound => NotFound(what, id),
        Edits.WriteOutcome.Conflict => Error(StatusCodes.Status409Conflict, result.Summary),
        _ => BadRequest(result.Errors),
    };

    public static IResult NotFound(string what, string id) => Error(StatusCodes.Status404NotFound, $"{what} '{id}' not found");

    /// <summary>Reads the body as one JSON object, or says why it is not one (naming a key given twice).</summary>
    public static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0)
        {
            return (null, "request body is empty: send a JSON object");
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            var node = JsonNode.Parse(json.Span, documentOptions: Strict);
            return node is JsonObject obj ? (obj, null) : (null, "request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, Duplicate(json) is { } duplicate
                ? $"request body has the key '{duplicate.Name}' more than once{(duplicate.Path == "$" ? "" : $" (in {duplicate.Path})")}"
                : $"request body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The first key found twice in one object of <paramref name="json"/>, with the path of that object.</summary>
    private static (string Name, string Path)? Duplicate(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var pending = new Stack<(JsonElement Element, string Path)>();
            pending.Push((document.RootElement, "$"));
            while (pending.TryPop(out var item))
            {
                if (item.Element.ValueKind == JsonValueKind.Object)
                {
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in item.Element.EnumerateObject())
                    {
                        if (!seen.Add(property.Name))
                        {
                            return (property.Name, item.Path);
                        }
                        pending.Push((property.Value, $"{item.Path}.{property.Name}"));
                    }
                }
                else if (item.Element.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var element in item.Element.EnumerateArray())
                    {
                        pending.Push((element, $"{item.Path}[{index++}]"));
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
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
