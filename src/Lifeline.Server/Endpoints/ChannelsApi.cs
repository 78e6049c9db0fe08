using System.Text.Json;
using System.Text.Json.Nodes;
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
    private static readonly string[] SecretFields = ["secret", "botToken", "token", "routingKey", "password"];
    private const string Masked = Redact.Masked;

    /// <summary>Kinds whose webhook URL is itself the credential: only its scheme and host are shown.</summary>
    private static readonly string[] SecretUrlKinds = ["slack", "discord", "teams"];

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

    private static async Task<IResult> Create(HttpRequest request, IChannelStore store, IEnumerable<INoticeChannel> kinds, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var errors = new List<string>();
        var kind = StringField(body, "kind");
        var name = StringField(body, "name");
        var sender = kinds.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.OrdinalIgnoreCase));
        if (sender is null)
        {
            errors.Add($"kind must be one of {string.Join(", ", kinds.Select(k => k.Kind).Order(StringComparer.Ordinal))}");
        }
        var settings = Settings(body);
        if (sender is not null)
        {
            errors.AddRange(sender.Validate(settings));
        }
        if (NoticeGrouping.Validate(settings) is { } grouping)
        {
            errors.Add(grouping);
        }
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        var channel = new ChannelConfig(Secrets.NewId(), sender!.Kind, string.IsNullOrWhiteSpace(name) ? sender.Kind : name.Trim(), settings, clock.GetUtcNow());
        await store.AddAsync(channel, ct);
        return TypedResults.Json(Json(channel), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext context, IChannelStore store, CancellationToken ct)
    {
        var channels = await store.ListAsync(ct);
        var readOnly = Security.ApiKeyFilter.IsReadOnly(context);
        return TypedResults.Json(new JsonArray([.. channels.Select(c => (JsonNode)Json(c, readOnly))]));
    }

    private static async Task<IResult> Get(string id, HttpContext context, IChannelStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } channel ? TypedResults.Json(Json(channel, Security.ApiKeyFilter.IsReadOnly(context))) : Requests.NotFound("channel", id);

    private static async Task<IResult> Patch(string id, HttpRequest request, IChannelStore store, IEnumerable<INoticeChannel> kinds, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return Requests.NotFound("channel", id);
        }
        if (StringField(body, "kind") is { } kind && !string.Equals(kind, current.Kind, StringComparison.OrdinalIgnoreCase))
        {
            return Requests.BadRequest("kind cannot be changed; create a new channel instead");
        }
        var settings = (JsonObject)current.Settings.DeepClone();
        foreach (var (key, value) in Settings(body))
        {
            // A masked secret sent back unchanged keeps the stored one.
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().EndsWith(Masked, StringComparison.Ordinal))
            {
                continue;
            }
            settings[key] = value?.DeepClone();
        }
        var sender = kinds.FirstOrDefault(k => k.Kind == current.Kind);
        var errors = (sender?.Validate(settings) ?? []).ToList();
        if (NoticeGrouping.Validate(settings) is { } grouping)
        {
            errors.Add(grouping);
        }
        if (errors.Count > 0)
        {
            return Requests.BadRequest(errors);
        }
        var name = StringField(body, "name");
        var updated = await store.UpdateAsync(current with { Name = string.IsNullOrWhiteSpace(name) ? current.Name : name.Trim(), Settings = settings }, ct);
        return updated is null ? Requests.NotFound("channel", id) : TypedResults.Json(Json(updated));
    }

    private static async Task<IResult> Delete(string id, IChannelStore store, CancellationToken ct) =>
        await store.DeleteAsync(id, ct) ? TypedResults.NoContent() : Requests.NotFound("channel", id);

    private static async Task<IResult> Test(string id, IChannelStore store, IOutboxStore outbox, DispatchSignal dispatch, TimeProvider clock, CancellationToken ct)
    {
        var channel = await store.FindAsync(id, ct);
        if (channel is null)
        {
            return Requests.NotFound("channel", id);
        }
        var now = clock.GetUtcNow();
        var notice = new Notice
        {
            Type = Notice.TestType,
            At = now,
            Reason = $"Test notice for channel '{channel.Name}': if you read this, Lifeline can reach you here.",
            Monitor = new NoticeMonitor { Id = "", Name = "Lifeline test", Kind = "push", Status = "up" },
        };
        var outboxId = await outbox.EnqueueAsync(channel.Id, notice, now, ct);
        dispatch.Wake();
        return TypedResults.Json(new { ok = true, queued = outboxId }, statusCode: StatusCodes.Status202Accepted);
    }

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

    /// <summary>Kind settings: every field but kind and name (a nested "settings" object is accepted too).</summary>
    private static JsonObject Settings(JsonObject body)
    {
        var source = body["settings"] as JsonObject ?? body;
        var settings = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key is "kind" or "name" or "id" or "settings" or "createdAt")
            {
                continue;
            }
            settings[key] = value?.DeepClone();
        }
        return settings;
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
                : SecretFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? Masked
                : readOnly && ReadOnlyHiddenFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? Masked
                : key == "url" && SecretUrlKinds.Contains(channel.Kind) ? MaskUrl(value)
                : readOnly && UrlFields.Contains(key, StringComparer.OrdinalIgnoreCase) ? MaskUrl(value)
                : value.DeepClone();
        }
        return json;
    }

    private static string MaskUrl(JsonNode value) =>
        Redact.Url(value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null);

    private static string? StringField(JsonObject body, string name) =>
        body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
