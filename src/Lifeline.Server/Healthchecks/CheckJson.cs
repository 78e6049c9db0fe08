using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Healthchecks;

/// <summary>
/// The wire shapes of Healthchecks' Management API: checks, pings and flips, with snake_case
/// names, durations in whole seconds and times as <c>2020-03-23T10:19:32+00:00</c>.
/// </summary>
internal static class CheckJson
{
    /// <summary>A check as Healthchecks shows it; with <paramref name="readOnly"/> no uuid, URLs or channels but a <c>unique_key</c>.</summary>
    public static JsonObject Check(Monitor m, string baseUrl, int version, bool readOnly, DateTimeOffset now)
    {
        var rules = m.PingRules;
        var json = new JsonObject
        {
            ["name"] = m.Name,
            ["slug"] = m.Slug ?? "",
            ["tags"] = string.Join(' ', m.Tags),
            ["desc"] = m.Description ?? "",
            ["grace"] = (long)m.Grace.TotalSeconds,
            ["n_pings"] = m.EventCount,
            ["status"] = Status(m, version, now),
            ["started"] = m.IsStarted,
            ["last_ping"] = Time(m.LastSignalAt),
            ["next_ping"] = Time(NextPing(m)),
            ["manual_resume"] = m.ManualResume,
            ["methods"] = rules.Methods,
            ["subject"] = rules.FilterSubject ? rules.SuccessKeywords : "",
            ["subject_fail"] = rules.FilterSubject ? rules.FailureKeywords : "",
            ["start_kw"] = rules.StartKeywords,
            ["success_kw"] = rules.SuccessKeywords,
            ["failure_kw"] = rules.FailureKeywords,
            ["filter_subject"] = rules.FilterSubject,
            ["filter_body"] = rules.FilterBody,
            ["filter_http_body"] = rules.FilterHttpBody,
            ["filter_default_fail"] = rules.FilterDefaultFail,
            // The monitor's own status badge (unguessable, no sign-in), as Healthchecks gives its check's.
            ["badge_url"] = m.BadgeKey is null ? null : $"{baseUrl}/badge/{m.BadgeKey}.svg",
        };
        if (m.LastDurationMs is > 0 and { } ms)
        {
            json["last_duration"] = ms / 1000;
        }
        if (readOnly)
        {
            json["unique_key"] = UniqueKey(m);
        }
        else
        {
            var updateUrl = $"{baseUrl}/api/v{version}/checks/{m.PushToken}";
            json["uuid"] = m.PushToken;
            json["ping_url"] = $"{baseUrl}/ping/{m.PushToken}";
            json["update_url"] = updateUrl;
            json["pause_url"] = updateUrl + "/pause";
            json["resume_url"] = updateUrl + "/resume";
            json["channels"] = string.Join(',', m.Channels.Order(StringComparer.Ordinal));
        }
        if (m.Schedule is null)
        {
            json["timeout"] = (long)m.Period.TotalSeconds;
        }
        else
        {
            json["schedule"] = m.Schedule;
            json["tz"] = m.Tz;
        }
        return json;
    }

    /// <summary>
    /// A stable key for read-only clients, derived from the monitor's id so that it does not give
    /// away the push token: 40 hex digits, the form Healthchecks' <c>unique_key</c> has.
    /// </summary>
    public static string UniqueKey(Monitor m) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("healthchecks-unique-key:" + m.Id)))[..40];

    /// <summary>Healthchecks' status words: <c>late</c> is <c>grace</c>; v1 says <c>started</c> while a run is open and not overdue.</summary>
    private static string Status(Monitor m, int version, DateTimeOffset now)
    {
        if (version == 1 && m.RunStartedAt is { } start && m.Status != MonitorStatus.Paused && now < start + m.Grace)
        {
            return "started";
        }
        return m.Status switch
        {
            MonitorStatus.New => "new",
            MonitorStatus.Late => "grace",
            MonitorStatus.Down => "down",
            MonitorStatus.Paused => "paused",
            _ => "up",
        };
    }

    /// <summary>When the grace period would start: the next deadline while up, or an open run's start if sooner.</summary>
    private static DateTimeOffset? NextPing(Monitor m)
    {
        DateTimeOffset? next = m.Status is MonitorStatus.Up or MonitorStatus.Late ? m.NextDeadlineAt : null;
        if (m.RunStartedAt is { } start && m.Status is not (MonitorStatus.Down or MonitorStatus.Paused) && (next is null || start < next))
        {
            next = start;
        }
        return next;
    }

    /// <summary>One logged ping, numbered as the monitor's events are (1 is its first).</summary>
    public static JsonObject? Ping(MonitorEvent e, string bodyUrlPrefix)
    {
        var type = e.Type switch
        {
            SignalKind.Start => "start",
            SignalKind.Fail => "fail",
            SignalKind.Log => "log",
            SignalKind.Ignored => "ign",
            SignalKind.Success => "success",
            SignalKind.Push => e.Ok ? "success" : "fail",
            _ => null,
        };
        if (type is null)
        {
            return null;
        }
        var json = new JsonObject
        {
            ["type"] = type,
            ["date"] = PreciseTime(e.At),
            ["n"] = e.Id,
            // Lifeline does not record the scheme, method or user agent of a ping.
            ["scheme"] = "http",
            ["remote_addr"] = e.Source,
            ["method"] = "",
            ["ua"] = "",
            ["rid"] = e.Rid?.ToString(),
            ["body_url"] = string.IsNullOrEmpty(e.Body) ? null : $"{bodyUrlPrefix}/{e.Id}/body",
        };
        if (e.DurationMs is { } ms && e.Type is SignalKind.Success or SignalKind.Fail)
        {
            json["duration"] = Math.Round(ms / 1000.0, 2);
        }
        return json;
    }

    /// <summary>The flips of an incident, newest first: its end (up) when it ended, and its start (down).</summary>
    public static IEnumerable<(DateTimeOffset At, bool Up)> Flips(Incident incident)
    {
        if (incident.EndedAt is { } ended)
        {
            yield return (ended, true);
        }
        yield return (incident.StartedAt, false);
    }

    public static JsonObject Flip(DateTimeOffset at, bool up) => new()
    {
        ["timestamp"] = Time(at),
        ["up"] = up ? 1 : 0,
    };

    /// <summary>ISO 8601 in UTC to the second, as Healthchecks writes times of checks and flips.</summary>
    public static string? Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in UTC with microseconds (when not zero), as Healthchecks writes times of pings.</summary>
    private static string PreciseTime(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'+00:00'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }
}
