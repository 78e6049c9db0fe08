using System.Text.Json.Nodes;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// /api/v1/channels: where notices go. Secrets in settings are never shown back in full; read-only
/// keys also see every URL as its scheme and host only, and no ntfy topic.
/// </summary>
internal static class ChannelsApi
{
    private const string Masked = Redact.Masked;


    /// <summary>Settings holding URLs, shown to read-only keys as scheme and host only (paths and queries carry tokens).</summary>
    private static readonly string[] UrlFields = ["url", "apiBase"];

    /// <summary>Settings that let their holder read or post notices, hidden from read-only keys (a public ntfy topic is its own password).</summary>
    private static readonly string[] ReadOnlyHiddenFields = ["topic"];

    public static RouteGroupBuilder MapChannels(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/channels");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Patch);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/test", Test);
        group.MapGet("/{id}/deliveries", Deliveries);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, ChannelWrites writes, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.CreateAsync(body, ct);
        return result.Value is { } channel
            ? TypedResults.Json(Json(channel), statusCode: StatusCodes.Status201Created)
            : Requests.From(result, "channel", "");
    }

    private static async Task<IResult> List(HttpContext context, IChannelStore store, CancellationToken ct)
    {
        var channels = await store.ListAsync(ct);
        var readOnly = Security.ApiKeyFilter.IsReadOnly(context);
        return TypedResults.Json(new JsonArray([.. channels.Select(c => (JsonNode)Json(c, readOnly))]));
    }

    private static async Task<IResult> Get(string id, HttpContext context, IChannelStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } channel ? TypedResults.Json(Json(channel, Security.ApiKeyFilter.IsReadOnly(context))) : Requests.NotFound("channel", id);

    private static async Task<IResult> Patch(string id, HttpRequest request, ChannelWrites writes, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var result = await writes.ChangeAsync(id, body, ct);
        return result.Value is { } updated ? TypedResults.Json(Json(updated)) : Requests.From(result, "channel", id);
    }

    private static async Task<IResult> Delete(string id, ChannelWrites writes, CancellationToken ct) =>
        await writes.DeleteAsync(id, ct) ? TypedResults.NoContent() : Requests.NotFound("channel", id);

    private static async Task<IResult> Test(string id, ChannelWrites writes, CancellationToken ct) =>
        await writes.SendTestAsync(id, ct) is { } outboxId
            ? TypedResults.Json(new { ok = true, queued = outboxId }, statusCode: StatusCodes.Status202Accepted)
            : Requests.NotFound("channel", id);

    private static async Task<IResult> Deliveries(string id, HttpRequest request, IChannelStore store, IOutboxStore outbox, CancellationToken ct)
    {
        if (!Requests.TryLimit(request.Query["limit"], 50, 1000, out var limit, out var error))
        {
            return Requests.BadRequest(error!);
        }
        if (await store.FindAsync(id, ct) is null)
        {
            return Requests.NotFound("channel", id);
        }
        var attempts = await outbox.DeliveriesAsync(id, limit, ct);
        return TypedResults.Json(new JsonArray([.. attempts.Select(a => (JsonNode)new JsonObject
            {
                ["deliveryId"] = a.DeliveryId,
                ["type"] = a.NoticeType,
                ["monitor"] = a.MonitorName,
                ["attempt"] = a.Attempt,
                ["at"] = MonitorJson.Time(a.At),
                ["ok"] = a.Ok,
                ["statusCode"] = a.StatusCode,
                ["error"] = a.Error,
                ["state"] = a.State.ToString().ToLowerInvariant(),
            })]));
    }

    /// <param name="readOnly">True for read-only keys: URLs cut to their host and topics hidden as well.</param>
    private static JsonObject Json(ChannelConfig channel, bool readOnly = false)
    {
        var json = new JsonObject
        {
            ["id"] = channel.Id,
            ["kind"] = channel.Kind,
            ["name"] = channel.Name,
            ["createdAt"] = MonitorJson.Time(channel.CreatedAt),
        };
        foreach (var (key, value) in channel.Settings)
        {
            json[key] = value is null ? null
                : ChannelWrites.SecretFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? Masked
                : readOnly && ReadOnlyHiddenFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? Masked
                : key == "url" && ChannelWrites.SecretUrlKinds.Contains(channel.Kind) ? MaskUrl(value)
                : readOnly && UrlFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? MaskUrl(value)
                : value.DeepClone();
        }
        return json;
    }

    private static string MaskUrl(JsonNode value) =>
        Redact.Url(value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null);
}
