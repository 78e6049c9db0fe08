using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lifeline.Server.Endpoints;

/// <summary>Checks a monitor as saved; each problem names its field. Active-probe kinds plug theirs in here.</summary>
public interface IMonitorValidator
{
    IEnumerable<FieldError> Validate(Monitor monitor);
}

/// <summary>
/// Applies the fields of a create or PATCH body to a monitor, checking each one's type and range.
/// Read-only fields (id, status, pushUrl, ...) are ignored.
/// </summary>
internal static partial class MonitorInput
{
    private const double MaxSeconds = 366 * 24 * 3600;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex SlugPattern();

    public static Monitor Apply(JsonObject body, Monitor baseline, bool creating, List<FieldError> errors)
    {
        var m = baseline;
        var kindGiven = Field(body, "kind") is not null;
        if (Field(body, "kind") is { } kindNode)
        {
            if (!TryString(kindNode, out var kindText) || !WireNames.TryParseKind(kindText, out var kind))
            {
                errors.Add(new("kind", "kind must be one of push, http, tcp, dns, tls"));
            }
            else if (!creating && kind != baseline.Kind)
            {
                errors.Add(new("kind", "kind cannot be changed; create a new monitor instead"));
            }
            else
            {
                m = m with { Kind = kind };
            }
        }
        if (Field(body, "name") is { } nameNode)
        {
            if (!TryString(nameNode, out var name) || string.IsNullOrWhiteSpace(name))
            {
                errors.Add(new("name", "name must be a non-empty string"));
            }
            else if (name.Length > 200)
            {
                errors.Add(new("name", "name must be at most 200 characters"));
            }
            else
            {
                m = m with { Name = name.Trim() };
            }
        }
        else if (creating)
        {
            errors.Add(new("name", "name is required"));
        }
        if (body.ContainsKey("slug"))
        {
            var node = body["slug"];
            if (node is null)
            {
                m = m with { Slug = null };
            }
            else if (!TryString(node, out var slug) || !SlugPattern().IsMatch(slug))
            {
                errors.Add(new("slug", "slug must be 1-100 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"));
            }
            else
            {
                m = m with { Slug = slug };
            }
        }
        if (body.ContainsKey("description"))
        {
            var node = body["description"];
            if (node is null)
            {
                m = m with { Description = null };
            }
            else if (!TryString(node, out var description) || description.Length > 10_000)
            {
                errors.Add(new FieldError("description", "description must be a string of at most 10000 characters, or null"));
            }
            else
            {
                m = m with { Description = description };
            }
        }
        if (Field(body, "tags") is { } tagsNode)
        {
            m = StringList(tagsNode, "tags", errors) is { } tags ? m with { Tags = tags } : m;
        }
        if (Field(body, "channels") is { } channelsNode)
        {
            m = StringList(channelsNode, "channels", errors) is { } channels ? m with { Channels = channels.Distinct().ToList() } : m;
        }

        if (body.ContainsKey("remindEvery"))
        {
            if (body["remindEvery"] is null)
            {
                m = m with { RemindEvery = null };
            }
            else if (Seconds(body["remindEvery"]!, "remindEvery", 60, MaxSeconds, errors) is { } remind)
            {
                m = m with { RemindEvery = remind };
            }
        }
        if (Field(body, "notifyRecovery") is { } recoveryNode)
        {
            if (recoveryNode.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                m = m with { NotifyRecovery = recoveryNode.GetValue<bool>() };
            }
            else
            {
                errors.Add(new("notifyRecovery", "notifyRecovery must be true or false"));
            }
        }

        if (Field(body, "dependsOn") is { } dependsNode)
        {
            m = StringList(dependsNode, "dependsOn", errors) is { } parents ? m with { DependsOn = parents.Distinct().ToList() } : m;
        }

        var errorsBefore = errors.Count;
        m = GatusEndpoint.Apply(body, m, creating && !kindGiven, errors);
        if (errors.Count > errorsBefore)
        {
            return m;
        }
        if (m.Kind == MonitorKind.Push)
        {
            m = ApplyPush(body, m, creating, errors);
        }
        else
        {
            m = ApplyActive(body, m, errors);
        }
        return ApplyLocations(body, m, errors);
    }

    private static Monitor ApplyPush(JsonObject body, Monitor m, bool creating, List<FieldError> errors)
    {
        // The seeds call the period "timeout"; accept it when period is not given.
        var periodNode = Field(body, "period") ?? Field(body, "timeout");
        if (periodNode is not null && Seconds(periodNode, body.ContainsKey("period") ? "period" : "timeout", 1, MaxSeconds, errors) is { } period)
        {
            m = m with { Period = period };
        }
        if (Field(body, "grace") is { } graceNode && Seconds(graceNode, "grace", 0, MaxSeconds, errors) is { } grace)
        {
            m = m with { Grace = grace };
        }
        if (Field(body, "tz") is { } tzNode)
        {
            if (!TryString(tzNode, out var tz) || !CronSchedule.TryFindZone(tz, out _))
            {
                errors.Add(new("tz", $"tz must be an IANA time zone name such as Europe/Paris, not {tzNode.ToJsonString()}"));
            }
            else
            {
                m = m with { Tz = tz };
            }
        }
        if (body.ContainsKey("schedule"))
        {
            var node = body["schedule"];
            if (node is null || (TryString(node, out var empty) && empty.Length == 0))
            {
                m = m with { Schedule = null };
            }
            else if (!TryString(node, out var schedule))
            {
                errors.Add(new("schedule", "schedule must be a cron expression string such as \"*/5 * * * *\""));
            }
            else if (CronSchedule.TryParse(schedule, m.Tz, out var cronError) is null)
            {
                errors.Add(new("schedule", $"schedule: {cronError}"));
            }
            else
            {
                m = m with { Schedule = schedule.Trim() };
            }
        }
        if (Field(body, "manualResume") is { } manualNode)
        {
            if (manualNode.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                m = m with { ManualResume = manualNode.GetValue<bool>() };
            }
            else
            {
                errors.Add(new("manualResume", "manualResume must be true or false"));
            }
        }
        if (creating && Field(body, "pushToken") is { } tokenNode)
        {
            if (!TryString(tokenNode, out var token) || !Secrets.IsValidToken(token))
            {
                errors.Add(new("pushToken", "pushToken must be 8-64 characters of A-Z, a-z, 0-9, '_' and '-'"));
            }
            else
            {
                m = m with { PushToken = token };
            }
        }
        return m;
    }

    private static Monitor ApplyActive(JsonObject body, Monitor m, List<FieldError> errors)
    {
        if (Field(body, "target") is { } targetNode)
        {
            if (!TryString(targetNode, out var target) || string.IsNullOrWhiteSpace(target))
            {
                errors.Add(new("target", "target must be a non-empty string"));
            }
            else
            {
                m = m with { Target = GatusEndpoint.HostPortOf(m.Kind, target.Trim()) };
            }
        }
        if (string.IsNullOrWhiteSpace(m.Target) && !errors.Exists(e => e.Field == "target"))
        {
            errors.Add(new("target", m.Kind switch
            {
                MonitorKind.Http => "target is required: the URL to check",
                MonitorKind.Dns => "target is required: the host name to resolve",
                _ => "target is required: host:port",
            }));
        }
        if (Field(body, "interval") is { } intervalNode && Seconds(intervalNode, "interval", 1, MaxSeconds, errors) is { } interval)
        {
            m = m with { Interval = interval };
        }
        if (Field(body, "timeout") is { } timeoutNode && Seconds(timeoutNode, "timeout", 0.1, 300, errors) is { } timeout)
        {
            m = m with { Timeout = timeout };
        }
        if (Field(body, "retries") is { } retriesNode)
        {
            if (retriesNode.GetValueKind() == JsonValueKind.Number && retriesNode.AsValue().TryGetValue<int>(out var retries) && retries is >= 0 and <= 100)
            {
                m = m with { Retries = retries };
            }
            else
            {
                errors.Add(new("retries", "retries must be a whole number from 0 to 100"));
            }
        }
        if (body.ContainsKey("retryInterval"))
        {
            if (body["retryInterval"] is null)
            {
                m = m with { RetryInterval = null };
            }
            else if (Seconds(body["retryInterval"]!, "retryInterval", 1, MaxSeconds, errors) is { } retryInterval)
            {
                m = m with { RetryInterval = retryInterval };
            }
        }
        if (Field(body, "successThreshold") is { } thresholdNode)
        {
            if (thresholdNode.GetValueKind() == JsonValueKind.Number && thresholdNode.AsValue().TryGetValue<int>(out var threshold) && threshold is >= 1 and <= 100)
            {
                m = m with { SuccessThreshold = threshold };
            }
            else
            {
                errors.Add(new("successThreshold", "successThreshold must be a whole number from 1 to 100"));
            }
        }
        if (Field(body, "conditions") is { } conditionsNode && StringList(conditionsNode, "conditions", errors) is { } conditions)
        {
            m = m with { Conditions = conditions };
        }
        if (body.ContainsKey("method"))
        {
            if (body["method"] is null)
            {
                m = m with { Method = null };
            }
            else if (!TryString(body["method"]!, out var method) || !Regex.IsMatch(method, @"\A[A-Za-z]{1,16}\z"))
            {
                errors.Add(new("method", "method must be an HTTP method such as GET or POST"));
            }
            else
            {
                m = m with { Method = method.ToUpperInvariant() };
            }
        }
        if (Field(body, "headers") is { } headersNode)
        {
            if (headersNode is not JsonObject headerObject || headerObject.Any(h => h.Value is null || h.Value.GetValueKind() != JsonValueKind.String))
            {
                errors.Add(new("headers", "headers must be an object of string values"));
            }
            else
            {
                m = m with { Headers = headerObject.ToDictionary(h => h.Key, h => h.Value!.GetValue<string>()) };
            }
        }
        if (body.ContainsKey("body"))
        {
            if (body["body"] is null)
            {
                m = m with { Body = null };
            }
            else if (!TryString(body["body"]!, out var text))
            {
                errors.Add(new("body", "body must be a string"));
            }
            else
            {
                m = m with { Body = text };
            }
        }
        return m;
    }

    private static JsonNode? Field(JsonObject body, string name) => body.TryGetPropertyValue(name, out var node) ? node : null;

    private static bool TryString(JsonNode node, out string text)
    {
        text = "";
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            text = value.GetValue<string>();
            return true;
        }
        return false;
    }

    private static List<string>? StringList(JsonNode node, string field, List<FieldError> errors)
    {
        if (node is not JsonArray array || array.Any(item => item is null || item.GetValueKind() != JsonValueKind.String))
        {
            errors.Add(new(field, $"{field} must be an array of strings"));
            return null;
        }
        return array.Select(item => item!.GetValue<string>()).ToList();
    }

    /// <summary>A number of seconds, or a duration as Gatus writes it: <c>"30s"</c>, <c>"5m"</c>, <c>"1h30m"</c>.</summary>
    private static TimeSpan? Seconds(JsonNode node, string field, double min, double max, List<FieldError> errors)
    {
        if (TryString(node, out var text))
        {
            if (!Lifeline.Checks.Conditions.DurationText.TryParse(text.Trim(), out var span))
            {
                errors.Add(new(field, $"{field} must be a number of seconds or a duration such as \"30s\", \"5m\" or \"1h\", not \"{text}\""));
                return null;
            }
            if (span.TotalSeconds >= min && span.TotalSeconds <= max)
            {
                return span;
            }
            errors.Add(new(field, $"{field} must be between {min} and {max} seconds, not {span.TotalSeconds}"));
            return null;
        }
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var seconds) && double.IsFinite(seconds))
        {
            if (seconds >= min && seconds <= max)
            {
                return TimeSpan.FromSeconds(seconds);
            }
            errors.Add(new(field, $"{field} must be between {min} and {max} seconds, not {seconds}"));
            return null;
        }
        errors.Add(new(field, $"{field} must be a number of seconds"));
        return null;
    }
}
