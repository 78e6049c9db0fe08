using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeline.Core;

/// <summary>What happened, as every channel is told about it. Serialized as the webhook body.</summary>
public sealed record Notice
{
    public const string DownType = "monitor.down";
    public const string UpType = "monitor.up";
    public const string TestType = "test";

    /// <summary><c>monitor.down</c>, <c>monitor.up</c> or <c>test</c>.</summary>
    public required string Type { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Reason { get; init; }
    public required NoticeMonitor Monitor { get; init; }
    public string? PreviousStatus { get; init; }
    /// <summary>True for a repeated down notice (the monitor's <c>remindEvery</c>).</summary>
    public bool Reminder { get; init; }

    /// <summary>When the incident this notice belongs to started (the down time), for "since when".</summary>
    public DateTimeOffset? IncidentStartedAt { get; init; }

    /// <summary>
    /// On a down notice: how many monitors depend on this one, directly or through others (paused
    /// ones left out); their own down notices are held while this one is down. Absent when none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Dependants { get; init; }

    /// <summary>With <see cref="Dependants"/>: how many of them were already down when this notice was planned.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DependantsDown { get; init; }

    /// <summary>
    /// Set on a grouped notice only (built at dispatch, never stored): every notice of the storm,
    /// oldest first, this one's <see cref="Monitor"/> being the first's. Absent otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Notice>? Group { get; init; }

    [JsonIgnore]
    public bool IsDown => Type == DownType;

    [JsonIgnore]
    public bool IsUp => Type == UpType;

    /// <summary>
    /// One notice for a storm of down (or up) notices to one channel: the type and monitor of the
    /// first, the time of the last, and all of them in <see cref="Group"/>.
    /// </summary>
    public static Notice Grouped(IReadOnlyList<Notice> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfLessThan(members.Count, 2, nameof(members));
        var first = members[0];
        return first with
        {
            At = members.Max(m => m.At),
            Reason = $"{members.Count} monitors {(first.IsUp ? "up again" : "down")}",
            Reminder = false,
            Dependants = null,
            DependantsDown = null,
            IncidentStartedAt = null,
            Group = members,
        };
    }
}

/// <summary>The monitor as it was when the notice was planned.</summary>
public sealed record NoticeMonitor
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastSignalAt { get; init; }
    public string? LastMessage { get; init; }
    /// <summary>Link to the monitor; filled in at delivery from the server's public URL.</summary>
    public string? Url { get; init; }

    public static NoticeMonitor From(Monitor monitor) => new()
    {
        Id = monitor.Id,
        Name = monitor.Name,
        Kind = WireNames.Of(monitor.Kind),
        Status = WireNames.Of(monitor.Status),
        LastSignalAt = monitor.LastSignalAt,
        LastMessage = monitor.LastMessage,
    };
}

/// <summary>The one JSON shape of notices, in the outbox and on the wire.</summary>
public static class NoticeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new UtcTimeConverter() },
    };

    public static string Serialize(Notice notice) => JsonSerializer.Serialize(notice, Options);

    public static Notice Deserialize(string json) =>
        JsonSerializer.Deserialize<Notice>(json, Options) ?? throw new JsonException("empty notice");
}

/// <summary>Writes times as ISO 8601 UTC with a Z and milliseconds, as the contract asks.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
