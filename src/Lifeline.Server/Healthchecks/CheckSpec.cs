using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lifeline.Server.Healthchecks;

/// <summary>
/// The fields of a Healthchecks create or update body, checked as Healthchecks checks them: strict
/// types (a null is a wrong type too), the same limits, and only the first problem reported, in
/// Healthchecks' words ("json validation error: timeout is too small"). A field left out is null
/// here and leaves the check as it is. Unknown fields (and <c>api_key</c>) are ignored.
/// </summary>
internal sealed partial record CheckSpec
{
    /// <summary>Healthchecks' bounds for <c>timeout</c> and <c>grace</c>, in seconds: a minute to a year.</summary>
    private const long MinSeconds = 60, MaxSeconds = 31_536_000;

    public string? Channels { get; private init; }
    public string? Desc { get; private init; }
    public string? FailureKw { get; private init; }
    public bool? FilterSubject { get; private init; }
    public bool? FilterBody { get; private init; }
    public bool? FilterHttpBody { get; private init; }
    public bool? FilterDefaultFail { get; private init; }
    public TimeSpan? Grace { get; private init; }
    public bool? ManualResume { get; private init; }
    public string? Methods { get; private init; }
    public string? Name { get; private init; }
    public string? Schedule { get; private init; }
    public string? Slug { get; private init; }
    public string? StartKw { get; private init; }
    public string? Subject { get; private init; }
    public string? SubjectFail { get; private init; }
    public string? SuccessKw { get; private init; }
    public string? Tags { get; private init; }
    public TimeSpan? Timeout { get; private init; }
    public string? Tz { get; private init; }
    public IReadOnlyList<string>? Unique { get; private init; }

    [GeneratedRegex("^[a-z0-9_-]*$")]
    private static partial Regex SlugPattern();

    private static readonly string[] UniqueFields = ["name", "slug", "tags", "timeout", "grace"];

    /// <summary>Reads the body; on a problem returns null and Healthchecks' message in <paramref name="error"/>.</summary>
    public static CheckSpec? Parse(JsonObject body, out string? error)
    {
        // Checked in Healthchecks' field order, so the first problem reported is the one it reports.
        var reader = new FieldReader(body);
        var spec = new CheckSpec
        {
            Channels = reader.Text("channels"),
            Desc = reader.Text("desc"),
            FailureKw = reader.Text("failure_kw", 200),
            FilterSubject = reader.Flag("filter_subject"),
            FilterBody = reader.Flag("filter_body"),
            FilterHttpBody = reader.Flag("filter_http_body"),
            FilterDefaultFail = reader.Flag("filter_default_fail"),
            Grace = reader.Seconds("grace"),
            ManualResume = reader.Flag("manual_resume"),
            Methods = reader.OneOf("methods", "", "POST"),
            Name = reader.Text("name", 100),
            Schedule = reader.Text("schedule", 100),
            Slug = reader.Text("slug", 100, SlugPattern()),
            StartKw = reader.Text("start_kw", 200),
            Subject = reader.Text("subject", 200),
            SubjectFail = reader.Text("subject_fail", 200),
            SuccessKw = reader.Text("success_kw", 200),
            Tags = reader.Text("tags"),
            Timeout = reader.Seconds("timeout"),
            Tz = reader.Text("tz"),
            Unique = reader.UniqueList("unique"),
        };
        // Values that need more than a type check, in the same order.
        if (reader.Error is null && spec.Schedule is { } schedule && !IsCron(schedule))
        {
            reader.Fail("schedule is not a valid cron or OnCalendar expression");
        }
        if (reader.Error is null && spec.Tz is { } tz && !CronSchedule.TryFindZone(tz, out _))
        {
            reader.Fail("tz is not a valid timezone");
        }
        error = reader.Error;
        return error is null ? spec : null;
    }

    /// <summary>A five-field cron expression Lifeline can schedule (systemd OnCalendar expressions are not supported).</summary>
    private static bool IsCron(string schedule) =>
        !schedule.Trim().Contains('\n', StringComparison.Ordinal)
        && schedule.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length == 5
        && CronSchedule.TryParse(schedule, "UTC", out _) is not null;

    /// <summary>"simple" when the body sets a timeout (and no schedule), "cron" when it sets a schedule, else null.</summary>
    public string? Kind => !string.IsNullOrEmpty(Schedule) ? "cron" : Timeout is not null ? "simple" : null;

    /// <summary>Reads fields one by one and keeps the first problem.</summary>
    private sealed class FieldReader(JsonObject body)
    {
        public string? Error { get; private set; }

        public void Fail(string problem) => Error ??= "json validation error: " + problem;

        private JsonNode? Present(string name, out bool present)
        {
            present = body.TryGetPropertyValue(name, out var node);
            return node;
        }

        public string? Text(string name, int maxLength = int.MaxValue, Regex? pattern = null)
        {
            var node = Present(name, out var present);
            if (!present)
            {
                return null;
            }
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                Fail($"{name} is not a string");
                return null;
            }
            var text = value.GetValue<string>();
            if (text.Length > maxLength)
            {
                Fail($"{name} is too long");
                return null;
            }
            if (pattern is not null && !pattern.IsMatch(text))
            {
                Fail($"{name} does not match pattern");
                return null;
            }
            return text;
        }

        public bool? Flag(string name)
        {
            var node = Present(name, out var present);
            if (!present)
            {
                return null;
            }
            if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetValue<bool>();
            }
            Fail($"{name} is not a boolean");
            return null;
        }

        public string? OneOf(string name, params string[] allowed)
        {
            var node = Present(name, out var present);
            if (!present)
            {
                return null;
            }
            if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && allowed.Contains(value.GetValue<string>(), StringComparer.Ordinal))
            {
                return value.GetValue<string>();
            }
            Fail($"{name} has unexpected value");
            return null;
        }

        public TimeSpan? Seconds(string name)
        {
            var node = Present(name, out var present);
            if (!present)
            {
                return null;
            }
            // Whole JSON numbers only: "60", 60.5 and true are not numbers of seconds to Healthchecks.
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var seconds))
            {
                Fail($"{name} is not a number");
                return null;
            }
            if (seconds < MinSeconds)
            {
                Fail($"{name} is too small");
                return null;
            }
            if (seconds > MaxSeconds)
            {
                Fail($"{name} is too large");
                return null;
            }
            return TimeSpan.FromSeconds(seconds);
        }

        public List<string>? UniqueList(string name)
        {
            var node = Present(name, out var present);
            if (!present)
            {
                return null;
            }
            if (node is not JsonArray array)
            {
                Fail($"{name} is not an array");
                return null;
            }
            var fields = new List<string>();
            foreach (var item in array)
            {
                if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String || !UniqueFields.Contains(value.GetValue<string>(), StringComparer.Ordinal))
                {
                    Fail($"an item in '{name}' has unexpected value");
                    return null;
                }
                fields.Add(value.GetValue<string>());
            }
            return fields;
        }
    }
}
