using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Lifeline.Server.Security;

namespace Lifeline.Server.Endpoints;

/// <summary>/api/v1/keys: API keys. A new key is shown once, in the answer that creates it.</summary>
internal static class KeysApi
{
    public static RouteGroupBuilder MapKeys(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/keys");
        group.MapGet("/", (ApiKeyGate gate) => TypedResults.Json(new JsonArray([.. gate.Keys.Select(k => (JsonNode)Json(k))])));
        group.MapPost("/", Create);
        group.MapDelete("/{id}", async (string id, ApiKeyGate gate, CancellationToken ct) =>
            await gate.DeleteAsync(id, ct) ? Results.NoContent() : Requests.NotFound("key", id));
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, ApiKeyGate gate, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var name = body["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return Requests.BadRequest("name is required");
        }
        var readOnly = false;
        if (body["readOnly"] is { } ro)
        {
            if (ro.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Requests.BadRequest("readOnly must be true or false");
            }
            readOnly = ro.GetValue<bool>();
        }
        var (record, key) = await gate.CreateAsync(name.Trim(), readOnly, ct);
        var json = Json(record);
        json["key"] = key;
        return TypedResults.Json(json, statusCode: StatusCodes.Status201Created);
    }

    private static JsonObject Json(ApiKeyRecord k) => new()
    {
        ["id"] = k.Id,
        ["name"] = k.Name,
        ["readOnly"] = k.ReadOnly,
        ["createdAt"] = MonitorJson.Time(k.CreatedAt),
    };
}
