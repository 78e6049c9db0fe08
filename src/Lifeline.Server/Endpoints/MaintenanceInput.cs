using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// Applies the fields of a maintenance create or PATCH body to a window, checking each one. The
/// kind follows from the fields: <c>start</c> and <c>end</c> (one-off), <c>schedule</c> with
/// <c>duration</c> and <c>tz</c> (recurring), or <c>manual: true</c> (from now until ended).
/// </summary>
internal static class MaintenanceInput
{
    private const double MaxDurationSeconds = 366 * 24 * 3600;
    private static readonly string[] OnceFields = ["start", "end"];
    private static readonly string[] RecurringFields = ["schedule", "duration", "tz"];

    public static MaintenanceWindow Apply(JsonObject body, MaintenanceWindow baseline, bool creating, DateTimeOffset now, List<FieldError> errors)
    {
        var w = baseline;
        if (body.ContainsKey("name") || creating)
        {
            if (!TryString(body["name"], out var name) || string.IsNullOrWhiteSpace(name))
            {
                errors.Add(new("name", "name is required (a non-empty string)"));
            }
            else
            {
                w = w with { Name = name.Trim() };
            }
        }
        if (body.ContainsKey("monitors"))
        {
            w = w with { Monitors = Strings(body["monitors"], "monitors", errors) ?? w.Monitors };
        }
        if (body.ContainsKey("tags"))
        {
            w = w with { Tags = Strings(body["tags"], "tags", errors) ?? w.Tags };
        }
        if (body.ContainsKey("effect"))
        {
            if (!TryString(body["effect"], out var effect) || effect is not ("mute" or "pause"))
            {
                errors.Add(new("effect", "effect must be \"mute\" or \"pause\""));
            }
            else
            {
                w = w with { Effect = effect == "pause" ? MaintenanceEffect.Pause : MaintenanceEffect.Mute };
            }
        }

        var manual = body.ContainsKey("manual");
        var once = OnceFields.Any(body.ContainsKey);
        var recurring = RecurringFields.Any(body.ContainsKey);
        if (manual && body["manual"]?.GetValueKind() != JsonValueKind.True)
        {
            errors.Add(new("manual", "manual must be true (a window from now until POST /api/v1/maintenance/{id}/end)"));
            return w;
        }
        if ((manual ? 1 : 0) + (once ? 1 : 0) + (recurring ? 1 : 0) > 1)
        {
            errors.Add(new("start", "start/end, schedule/duration and manual are different kinds of window: give only one of them"));
            return w;
        }
        var kind = manual ? MaintenanceKind.Manual : once ? MaintenanceKind.Once : recurring ? MaintenanceKind.Recurring : (MaintenanceKind?)null;
        if (kind is null)
        {
            if (creating)
            {
                errors.Add(new("start", "start and end (one-off), schedule and duration (recurring) or manual: true is required"));
            }
            return w;
        }
        if (!creating && kind != baseline.Kind)
        {
            errors.Add(new(Field(kind.Value), $"{Field(kind.Value)}: this window is {MaintenanceColumns.KindName(baseline.Kind)}; its kind cannot be changed, create a new window instead"));
            return w;
        }
        return kind switch
        {
            MaintenanceKind.Manual => w with { Kind = MaintenanceKind.Manual, Start = creating ? now : w.Start },
            MaintenanceKind.Once => Once(body, w with { Kind = MaintenanceKind.Once }, errors),
            _ => Recurring(body, w with { Kind = MaintenanceKind.Recurring }, errors),
        };
    }

    /// <summary>Checks the window as a whole, after its fields: every listed monitor must exist.</summary>
    public static async Task CheckAsync(MaintenanceWindow window, IMonitorStore monitors, List<FieldError> errors, CancellationToken ct)
    {
        if (window.Monitors.Count == 0 && window.Tags.Count == 0)
        {
            errors.Add(new("monitors", "monitors or tags: a window needs at least one monitor id or tag"));
        }
        foreach (var id in window.Monitors.Distinct(StringComparer.Ordinal))
        {
            if (await monitors.FindAsync(id, ct) is null)
            {
                errors.Add(new("monitors", $"monitors: no monitor with id '{id}'"));
            }
        }
    }

    private static MaintenanceWindow Once(JsonObject body, MaintenanceWindow w, List<FieldError> errors)
    {
        var start = body.ContainsKey("start") ? Time(body["start"], "start", errors) : w.Start;
        var end = body.ContainsKey("end") ? Time(body["end"], "end", errors) : w.End;
        if (start is null && !errors.Exists(e => e.Field == "start"))
        {
            errors.Add(new("start", "start is required with end (an ISO 8601 time)"));
        }
        if (end is null && !errors.Exists(e => e.Field == "end"))
        {
            errors.Add(new("end", "end is required with start (an ISO 8601 time)"));
        }
        if (start is { } s && end is { } e && e <= s)
        {
            errors.Add(new("end", "end must be after start"));
        }
        return w with { Start = start, End = end };
    }

    private static MaintenanceWindow Recurring(JsonObject body, MaintenanceWindow w, List<FieldError> errors)
    {
        var schedule = w.Schedule;
        var tz = w.Tz;
        var duration = w.Duration;
        if (body.ContainsKey("tz"))
        {
            if (!TryString(body["tz"], out var zone) || !CronSchedule.TryFindZone(zone, out _))
            {
                errors.Add(new("tz", $"tz: unknown time zone {body["tz"]?.ToJsonString() ?? "null"} (an IANA name such as Europe/Berlin)"));
            }
            else
            {
                tz = zone.Trim();
            }
        }
        if (body.ContainsKey("schedule"))
        {
            if (!TryString(body["schedule"], out var text) || string.IsNullOrWhiteSpace(text))
            {
                errors.Add(new("schedule", "schedule must be a cron expression (5 fields)"));
            }
            else
            {
                schedule = text.Trim();
            }
        }
        if (schedule is null)
        {
            errors.Add(new("schedule", "schedule is required with duration (a cron expression, 5 fields)"));
        }
        else if (!errors.Exists(e => e.Field == "tz") && CronSchedule.TryParse(schedule, tz, out var cronError) is null)
        {
            errors.Add(new("schedule", $"schedule: {cronError}"));
        }
        if (body.ContainsKey("duration"))
        {
            if (body["duration"] is not JsonValue value || !value.TryGetValue<double>(out var seconds) || double.IsNaN(seconds) || seconds <= 0 || seconds > MaxDurationSeconds)
            {
                errors.Add(new("duration", $"duration must be a number of seconds greater than 0 and at most {MaxDurationSeconds}"));
            }
            else
            {
                duration = TimeSpan.FromSeconds(seconds);
            }
        }
        else if (duration is null)
        {
            errors.Add(new("duration", "duration is required with schedule (seconds, greater than 0)"));
        }
        return w with { Schedule = schedule, Tz = tz, Duration = duration };
    }

    private static string Field(MaintenanceKind kind) => kind switch
    {
        MaintenanceKind.Manual => "manual",
        MaintenanceKind.Once => "start",
        _ => "schedule",
    };

    private static DateTimeOffset? Time(JsonNode? node, string field, List<FieldError> errors)
    {
        if (TryString(node, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }
        errors.Add(new(field, $"{field} must be an ISO 8601 time, e.g. 2026-03-29T01:00:00Z"));
        return null;
    }

    private static List<string>? Strings(JsonNode? node, string field, List<FieldError> errors)
    {
        if (node is not JsonArray array || array.Any(n => !TryString(n, out var s) || string.IsNullOrWhiteSpace(s)))
        {
            errors.Add(new(field, $"{field} must be an array of non-empty strings"));
            return null;
        }
        return [.. array.Select(n => n!.GetValue<string>().Trim()).Distinct(StringComparer.Ordinal)];
    }

    private static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }
        return false;
    }
}
