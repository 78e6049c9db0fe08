using System.Globalization;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Endpoints;

/// <summary>The wire shape of monitors, events and incidents (CONTRACT §3): camelCase, durations in seconds, times ISO 8601 UTC.</summary>
internal static class MonitorJson
{
    /// <param name="withSecrets">
    /// False for read-only keys: no push token or URLs (they would let the holder send signals), and
    /// check header values, request bodies and credentials in targets masked (see <see cref="Redact"/>).
    /// </param>
    public static JsonObject Monitor(Monitor m, string baseUrl, bool withSecrets = true)
    {
        var json = new JsonObject
        {
            ["id"] = m.Id,
            ["name"] = m.Name,
            ["slug"] = m.Slug,
            ["description"] = m.Description,
            ["kind"] = WireNames.Of(m.Kind),
            ["tags"] = new JsonArray([.. m.Tags.Select(t => JsonValue.Create(t))]),
            ["channels"] = new JsonArray([.. m.Channels.Select(c => JsonValue.Create(c))]),
            ["status"] = WireNames.Of(m.Status),
            ["lastSignalAt"] = Time(m.LastSignalAt),
            ["nextDeadlineAt"] = Time(m.NextDeadlineAt),
            ["lastMessage"] = m.LastMessage,
            ["lastValue"] = m.LastValue,
            ["createdAt"] = Time(m.CreatedAt),
            ["remindEvery"] = m.RemindEvery?.TotalSeconds,
            ["notifyRecovery"] = m.NotifyRecovery,
            ["dependsOn"] = new JsonArray([.. m.DependsOn.Select(d => JsonValue.Create(d))]),
            ["suppressedBy"] = Dependencies.HeldBy(m),
            ["awaitingParents"] = Dependencies.IsAwaitingParents(m),
            ["acknowledgedBy"] = m.AcknowledgedBy,
            ["acknowledgedAt"] = Time(m.AcknowledgedAt),
            // Public by design (it only shows the name and state), so read-only keys see it too.
            ["badgeUrl"] = m.BadgeKey is null ? null : $"{baseUrl}/badge/{m.BadgeKey}",
            // From the config file (lifeline serve --config): read-only here, changed by editing the file.
            ["managed"] = m.IsManaged,
        };
        if (m.Kind == MonitorKind.Push)
        {
            json["period"] = m.Period.TotalSeconds;
            json["grace"] = m.Grace.TotalSeconds;
            json["schedule"] = m.Schedule;
            json["tz"] = m.Tz;
            json["manualResume"] = m.ManualResume;
            json["pushToken"] = withSecrets ? m.PushToken : null;
            json["pushUrl"] = withSecrets ? $"{baseUrl}/api/push/{m.PushToken}" : null;
            json["pingUrl"] = withSecrets ? $"{baseUrl}/ping/{m.PushToken}" : null;
            json["started"] = m.IsStarted;
            json["lastDurationMs"] = m.LastDurationMs;
        }
        else
        {
            json["target"] = withSecrets || m.Target is null ? m.Target : Redact.Target(m.Target);
            json["interval"] = m.Interval.TotalSeconds;
            json["timeout"] = m.Timeout.TotalSeconds;
            json["retries"] = m.Retries;
            json["retryInterval"] = (m.RetryInterval ?? m.Interval).TotalSeconds;
            json["successThreshold"] = m.SuccessThreshold;
            json["conditions"] = new JsonArray([.. m.Conditions.Select(c => JsonValue.Create(c))]);
            json["method"] = m.Method;
            json["headers"] = new JsonObject(m.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)JsonValue.Create(withSecrets ? h.Value : Redact.Masked))));
            json["body"] = withSecrets || m.Body is null ? m.Body : Redact.Masked;
            json["locations"] = new JsonArray([.. m.Locations.Select(l => JsonValue.Create(l))]);
            json["quorum"] = m.EffectiveQuorum;
            json["allAddresses"] = m.AllAddresses;
        }
        return json;
    }

    public static JsonObject Event(MonitorEvent e)
    {
        var json = BaseEvent(e);
        if (e.Type == SignalKind.Check)
        {
            json["result"] = e.Unknown ? "unknown" : e.Ok ? "ok" : "failed";
            json["location"] = e.Location;
            json["conditions"] = new JsonArray([.. (e.Conditions ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["condition"] = c.Condition,
                ["ok"] = c.Ok,
                ["text"] = c.Text,
            })]);
        }
        return json;
    }

    private static JsonObject BaseEvent(MonitorEvent e) => new()
    {
        ["id"] = e.Id,
        ["at"] = Time(e.At),
        ["type"] = Signal.WireName(e.Type),
        ["ok"] = e.Ok,
        ["msg"] = e.Msg,
        ["value"] = e.Value,
        ["ping"] = e.Ping,
        ["exitStatus"] = e.ExitStatus,
        ["durationMs"] = e.DurationMs,
        ["body"] = e.Body,
        ["rid"] = e.Rid?.ToString(),
        ["source"] = e.Source,
    };

    public static JsonObject Incident(Incident i) => new()
    {
        ["id"] = i.Id,
        ["startedAt"] = Time(i.StartedAt),
        ["endedAt"] = Time(i.EndedAt),
        ["reason"] = i.Reason,
        ["suppressedBy"] = i.SuppressedBy,
        ["acknowledgedBy"] = i.AcknowledgedBy,
        ["acknowledgedAt"] = Time(i.AcknowledgedAt),
    };

    public static string? Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
