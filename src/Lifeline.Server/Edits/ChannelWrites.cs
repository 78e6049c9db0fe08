using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeline.Server.Endpoints;

namespace Lifeline.Server.Edits;

/// <summary>
/// Every change to channels, for the admin API and the app alike: each kind checks its own
/// settings (<see cref="INoticeChannel.Validate"/>), and a secret sent back masked, or left out
/// of an edit, keeps the stored one.
/// </summary>
public sealed class ChannelWrites(IChannelStore store, IEnumerable<INoticeChannel> kinds, IOutboxStore outbox, DispatchSignal dispatch, TimeProvider clock)
{
    /// <summary>Setting names that hold secrets: never shown back in full.</summary>
    public static IReadOnlyList<string> SecretFields { get; } = ["secret", "botToken", "token", "routingKey", "password"];

    /// <summary>Kinds whose URL is itself the credential (a webhook URL with a token in its path).</summary>
    public static IReadOnlyList<string> SecretUrlKinds { get; } = ["slack", "discord", "teams"];

    /// <summary>Creates a channel from <c>{"kind", "name", ...kind settings}</c> (or the settings nested in <c>"settings"</c>).</summary>
    public async Task<WriteResult<ChannelConfig>> CreateAsync(JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new List<FieldError>();
        var kind = StringField(body, "kind");
        var sender = kinds.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.OrdinalIgnoreCase));
        if (sender is null)
        {
            errors.Add(new FieldError("kind", $"kind must be one of {string.Join(", ", kinds.Select(k => k.Kind).Order(StringComparer.Ordinal))}"));
        }
        var settings = Settings(body);
        if (sender is not null)
        {
            errors.AddRange(Validate(sender, settings));
        }
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<ChannelConfig>(errors);
        }
        var name = StringField(body, "name");
        var channel = new ChannelConfig(Secrets.NewId(), sender!.Kind, string.IsNullOrWhiteSpace(name) ? sender.Kind : name.Trim(), settings, clock.GetUtcNow());
        return WriteResult.Done(await store.AddAsync(channel, ct));
    }

    /// <summary>What <see cref="CreateAsync"/> would refuse in a create body, without storing anything.</summary>
    public IReadOnlyList<FieldError> Check(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var kind = StringField(body, "kind");
        var sender = kinds.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.OrdinalIgnoreCase));
        return sender is null
            ? [new FieldError("kind", $"kind must be one of {string.Join(", ", kinds.Select(k => k.Kind).Order(StringComparer.Ordinal))}")]
            : Validate(sender, Settings(body));
    }

    /// <summary>Changes the name and the settings given; a masked secret keeps the stored one.</summary>
    public async Task<WriteResult<ChannelConfig>> ChangeAsync(string id, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return WriteResult.NotFound<ChannelConfig>();
        }
        if (StringField(body, "kind") is { } kind && !string.Equals(kind, current.Kind, StringComparison.OrdinalIgnoreCase))
        {
            return WriteResult.Invalid<ChannelConfig>([new FieldError("kind", "kind cannot be changed; create a new channel instead")]);
        }
        var settings = (JsonObject)current.Settings.DeepClone();
        foreach (var (key, value) in Settings(body))
        {
            // A masked secret sent back unchanged keeps the stored one.
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().EndsWith(Redact.Masked, StringComparison.Ordinal))
            {
                continue;
            }
            settings[key] = value?.DeepClone();
        }
        var sender = kinds.FirstOrDefault(k => k.Kind == current.Kind);
        var errors = sender is null ? [] : Validate(sender, settings);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<ChannelConfig>(errors);
        }
        var name = StringField(body, "name");
        var updated = await store.UpdateAsync(current with { Name = string.IsNullOrWhiteSpace(name) ? current.Name : name.Trim(), Settings = settings }, ct);
        return updated is null ? WriteResult.NotFound<ChannelConfig>() : WriteResult.Done(updated);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken ct) => store.DeleteAsync(id, ct);

    /// <summary>Queues a test notice for the channel and wakes the dispatcher; the outbox id, or null when the id is unknown.</summary>
    public async Task<long?> SendTestAsync(string id, CancellationToken ct)
    {
        var channel = await store.FindAsync(id, ct);
        if (channel is null)
        {
            return null;
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
        return outboxId;
    }

    /// <summary>The kind's own checks; each message names its setting first (<c>'url' is required</c>).</summary>
    private static List<FieldError> Validate(INoticeChannel sender, JsonObject settings) =>
        [.. sender.Validate(settings).Select(e => FieldError.FromPrefixed(e)), .. NoticeGrouping.Validate(settings) is { } grouping ? [new FieldError(NoticeGrouping.Setting, grouping)] : Array.Empty<FieldError>()];

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

    private static string? StringField(JsonObject body, string name) =>
        body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
