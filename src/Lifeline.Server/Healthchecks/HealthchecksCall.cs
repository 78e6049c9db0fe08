using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeline.Server.Security;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.Healthchecks;

/// <summary>What the key filter learned about a Healthchecks API request: the API version, the kind of key, the JSON body.</summary>
internal sealed record HealthchecksCall(int Version, bool ReadOnly, JsonObject Body)
{
    private const string Item = "healthchecks.call";

    public static HealthchecksCall Of(HttpContext context) => (HealthchecksCall)context.Items[Item]!;

    public void Keep(HttpContext context) => context.Items[Item] = this;
}

/// <summary>Marks the Healthchecks endpoints a read-only key may call: list and get checks, flips, badges.</summary>
internal sealed class ReadOnlyKeyAllowed
{
    public static readonly ReadOnlyKeyAllowed Instance = new();
}

/// <summary>
/// Healthchecks' authentication: the key in <c>X-Api-Key</c>, or for a POST as <c>api_key</c> in
/// the JSON body (read first, as Healthchecks does, so a body that is not JSON is a 400). No key
/// or an unknown one is 401, a read-only key outside the read endpoints is 403; errors are
/// Healthchecks' <c>{"error": "..."}</c>. Answers carry <c>Access-Control-Allow-Origin: *</c>.
/// </summary>
internal sealed class HealthchecksKeyFilter(ApiKeyGate gate) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        http.Response.Headers.AccessControlAllowOrigin = "*";

        var body = new JsonObject();
        if (HttpMethods.IsPost(request.Method))
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, http.RequestAborted);
            if (buffer.Length > 0)
            {
                JsonNode? node;
                try
                {
                    node = JsonNode.Parse(buffer.ToArray());
                }
                catch (JsonException)
                {
                    return Error(StatusCodes.Status400BadRequest, "could not parse request body");
                }
                if (node is not JsonObject parsed)
                {
                    return Error(StatusCodes.Status400BadRequest, "json validation error: value is not an object");
                }
                body = parsed;
            }
        }

        var key = request.Headers.TryGetValue("X-Api-Key", out var header)
            ? header.ToString()
            : body["api_key"] is { } field ? (field.GetValueKind() == JsonValueKind.String ? field.GetValue<string>() : field.ToJsonString()) : "";
        if (string.IsNullOrEmpty(key))
        {
            return Error(StatusCodes.Status401Unauthorized, "missing api key");
        }
        var access = gate.CheckKey(key.Trim());
        if (access == Access.None)
        {
            return Error(StatusCodes.Status401Unauthorized, "wrong api key");
        }
        if (access == Access.ReadOnly && http.GetEndpoint()?.Metadata.GetMetadata<ReadOnlyKeyAllowed>() is null)
        {
            return Error(StatusCodes.Status403Forbidden, "this API key is read-only");
        }
        new HealthchecksCall(VersionOf(request.Path), access == Access.ReadOnly, body).Keep(http);
        return await next(context);
    }

    /// <summary>1, 2 or 3 from the path (<c>/api/v2/...</c>); 1 when none is recognised, as Healthchecks does.</summary>
    private static int VersionOf(PathString path) =>
        path.StartsWithSegments("/api/v3") ? 3 : path.StartsWithSegments("/api/v2") ? 2 : 1;

    public static IResult Error(int status, string message) => TypedResults.Json(new { error = message }, statusCode: status);
}
