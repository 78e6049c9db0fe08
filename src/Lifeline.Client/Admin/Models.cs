using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Lifeline.Client.Admin;

/// <summary>
/// A monitor as the admin API shows it. Durations are seconds. Fields that do not apply to the
/// monitor's kind are null. Read-only fields (id, status, tokens, URLs, times) are ignored when creating.
/// </summary>
public sealed record MonitorInfo
{
    /// <summary>The server's id (read-only).</summary>
    [JsonConverter(typeof(IdConverter))]
    public string Id { get; init; } = "";

    /// <summary>Display name (required).</summary>
    public string Name { get; init; } = "";

    /// <summary>URL-safe short name, used by slug ping URLs.</summary>
    public string? Slug { get; init; }

    /// <summary><c>push</c>, <c>http</c>, <c>tcp</c>, <c>dns</c> or <c>tls</c>.</summary>
    public string Kind { get; init; } = "push";

    /// <summary>Free-form tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary><c>new</c>, <c>up</c>, <c>late</c>, <c>down</c> or <c>paused</c> (read-only).</summary>
    public string? Status { get; init; }

    /// <summary>When the last signal or check arrived (read-only).</summary>
    public DateTimeOffset? LastSignalAt { get; init; }

    /// <summary>When the monitor becomes late without a signal (read-only).</summary>
    public DateTimeOffset? NextDeadlineAt { get; init; }

    /// <summary>The last message received (read-only).</summary>
    public string? LastMessage { get; init; }

    /// <summary>The last number received (read-only).</summary>
    public double? LastValue { get; init; }

    /// <summary>When the monitor was created (read-only).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Push: seconds expected between signals (server default 60).</summary>
    public double? Period { get; init; }

    /// <summary>Push: extra seconds before down (server default 0).</summary>
    public double? Grace { get; init; }

    /// <summary>Push: a five-field cron schedule instead of <see cref="Period"/>.</summary>
    public string? Schedule { get; init; }

    /// <summary>Push: the schedule's IANA time zone (server default UTC).</summary>
    public string? Tz { get; init; }

    /// <summary>Push: the secret token in the push URLs (read-only).</summary>
    public string? PushToken { get; init; }

    /// <summary>Push: the <c>/api/push/...</c> URL (read-only).</summary>
    public string? PushUrl { get; init; }

    /// <summary>Push: the <c>/ping/...</c> URL (read-only).</summary>
    public string? PingUrl { get; init; }

    /// <summary>Active monitors: the URL, host:port or host name to check.</summary>
    public string? Target { get; init; }

    /// <summary>Active monitors: seconds between checks (server default 60).</summary>
    public double? Interval { get; init; }

    /// <summary>Active monitors: seconds one check may take (server default 10).</summary>
    public double? Timeout { get; init; }

    /// <summary>Active monitors: Gatus-style conditions that must all hold.</summary>
    public IReadOnlyList<string>? Conditions { get; init; }

    /// <summary>The ids of the channels alerted.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Fields this client does not know, kept as they came.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>What <see cref="LifelineClient.CreateMonitorAsync"/> sends. Durations are seconds; null fields are left out.</summary>
public sealed record NewMonitor
{
    /// <summary>Display name (required).</summary>
    public required string Name { get; init; }

    /// <summary><c>push</c> (the default), <c>http</c>, <c>tcp</c>, <c>dns</c> or <c>tls</c>.</summary>
    public string Kind { get; init; } = "push";

    /// <summary>Optional URL-safe short name.</summary>
    public string? Slug { get; init; }

    /// <summary>Optional tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Optional channel ids to alert.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Push: seconds expected between signals.</summary>
    public double? Period { get; init; }

    /// <summary>Push: extra seconds before down.</summary>
    public double? Grace { get; init; }

    /// <summary>Push: cron schedule instead of a period.</summary>
    public string? Schedule { get; init; }

    /// <summary>Push: the schedule's time zone.</summary>
    public string? Tz { get; init; }

    /// <summary>Active monitors: what to check.</summary>
    public string? Target { get; init; }

    /// <summary>Active monitors: seconds between checks.</summary>
    public double? Interval { get; init; }

    /// <summary>Active monitors: seconds one check may take.</summary>
    public double? Timeout { get; init; }

    /// <summary>Active monitors: conditions that must all hold.</summary>
    public IReadOnlyList<string>? Conditions { get; init; }

    /// <summary>Optional free text shown with the monitor.</summary>
    public string? Description { get; init; }

    /// <summary>Push: a token to keep (8-64 characters of A-Z, a-z, 0-9, '_' and '-'), so clients moving in keep their URLs; null lets the server make one.</summary>
    public string? PushToken { get; init; }

    /// <summary>Push: pings do not un-pause the monitor.</summary>
    public bool? ManualResume { get; init; }

    /// <summary>Whether a recovery notice is sent when the monitor is up again (server default true).</summary>
    public bool? NotifyRecovery { get; init; }

    /// <summary>Active monitors: extra failed checks before down (server default 0).</summary>
    public int? Retries { get; init; }

    /// <summary>Active monitors: seconds between checks while retrying (server default: the interval).</summary>
    public double? RetryInterval { get; init; }

    /// <summary>Active monitors: passing checks needed to recover (server default 1).</summary>
    public int? SuccessThreshold { get; init; }

    /// <summary>HTTP: the request method (server default GET); DNS: the record types to ask for, such as <c>A</c>.</summary>
    public string? Method { get; init; }

    /// <summary>HTTP: request headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>HTTP: the request body.</summary>
    public string? Body { get; init; }
}

/// <summary>A channel as the admin API shows it; secrets come back masked.</summary>
public sealed record ChannelInfo
{
    /// <summary>The server's id (read-only).</summary>
    [JsonConverter(typeof(IdConverter))]
    public string Id { get; init; } = "";

    /// <summary><c>webhook</c>, <c>telegram</c>, <c>email</c>, <c>slack</c>, <c>discord</c>, <c>teams</c>, <c>ntfy</c>, <c>gotify</c> or <c>pagerduty</c>.</summary>
    public string Kind { get; init; } = "";

    /// <summary>Display name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The kind's settings (<c>url</c>, <c>chatId</c>, ...), as the server shows them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Settings { get; init; }
}

/// <summary>What <see cref="LifelineClient.CreateChannelAsync"/> sends.</summary>
public sealed record NewChannel
{
    /// <summary>One of the server's channel kinds.</summary>
    public required string Kind { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>The kind's settings, sent beside kind and name (<c>url</c>, <c>botToken</c>, <c>to</c>, ...).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Settings { get; init; } = new Dictionary<string, JsonNode?>();
}

/// <summary>Filters for <see cref="LifelineClient.ListMonitorsAsync"/>; null means no filter.</summary>
public sealed record MonitorQuery
{
    /// <summary>Only monitors in this status.</summary>
    public string? Status { get; init; }

    /// <summary>Only monitors with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Free-text search.</summary>
    public string? Q { get; init; }

    /// <summary>Page size.</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="MonitorPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of monitors.</summary>
public sealed record MonitorPage
{
    /// <summary>The monitors on this page.</summary>
    public IReadOnlyList<MonitorInfo> Items { get; init; } = [];

    /// <summary>Pass as <see cref="MonitorQuery.Cursor"/> for the next page; null on the last.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>The answer of <c>GET /api/v1/status</c>.</summary>
public sealed record ServerStatus
{
    /// <summary>The instance's key for slug ping URLs.</summary>
    public string? PingKey { get; init; }

    /// <summary>The server process.</summary>
    public ServerInfo? Server { get; init; }

    /// <summary>The deadline scheduler.</summary>
    public SchedulerInfo? Scheduler { get; init; }

    /// <summary>How many monitors are in each status.</summary>
    public IReadOnlyDictionary<string, int>? Counts { get; init; }

    /// <summary>Every monitor, briefly.</summary>
    public IReadOnlyList<MonitorSummary>? Monitors { get; init; }
}

/// <summary>The server part of <see cref="ServerStatus"/>.</summary>
public sealed record ServerInfo(string? Status, DateTimeOffset? StartedAt, string? Version);

/// <summary>The scheduler part of <see cref="ServerStatus"/>.</summary>
public sealed record SchedulerInfo(string? Status, DateTimeOffset? LastTickAt);

/// <summary>One monitor in <see cref="ServerStatus.Monitors"/>.</summary>
public sealed record MonitorSummary(
    [property: JsonConverter(typeof(IdConverter))] string Id,
    string Name,
    string? Status,
    DateTimeOffset? LastSignalAt);

/// <summary>Reads an id given either as a JSON string or a JSON number.</summary>
internal sealed class IdConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new JsonException("an id must be a string or a number"),
        };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
