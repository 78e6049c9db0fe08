using System.Text;

namespace Lifeline.Server.Healthchecks;

/// <summary>How a Healthchecks create or update body changes a push monitor, as Healthchecks changes a check.</summary>
internal static class CheckEdit
{
    /// <summary>A check created with no timeout waits a day between pings, plus an hour's grace (Healthchecks' defaults).</summary>
    public static Monitor NewCheck(DateTimeOffset now) => new()
    {
        Id = Secrets.NewId(),
        Name = "",
        Kind = MonitorKind.Push,
        CreatedAt = now,
        // A random (version 4) UUID, so the check's ping URL is Healthchecks' /ping/<uuid>.
        PushToken = Guid.NewGuid().ToString(),
        Period = TimeSpan.FromDays(1),
        Grace = TimeSpan.FromHours(1),
    };

    /// <summary>
    /// Resolves <c>channels</c>: null (leave them), "*" (every channel), "" (none), or
    /// comma-separated channel ids or names; a bad identifier is Healthchecks' error.
    /// </summary>
    public static IReadOnlyList<string>? Channels(string? spec, IReadOnlyList<ChannelConfig> available, out string? error)
    {
        error = null;
        switch (spec)
        {
            case null:
                return null;
            case "*":
                return [.. available.Select(c => c.Id)];
            case "":
                return [];
        }
        var chosen = new List<string>();
        foreach (var identifier in spec.Split(','))
        {
            if (identifier.Length == 0)
            {
                error = "empty channel identifier";
                return null;
            }
            var matches = available.Where(c => c.Id == identifier || c.Name == identifier).ToList();
            if (matches.Count != 1)
            {
                error = matches.Count == 0 ? $"invalid channel identifier: {identifier}" : $"non-unique channel identifier: {identifier}";
                return null;
            }
            if (!chosen.Contains(matches[0].Id))
            {
                chosen.Add(matches[0].Id);
            }
        }
        return chosen;
    }

    /// <summary>
    /// The existing check the body's <c>unique</c> fields point at, or null (no <c>unique</c>, one
    /// of its fields left out of the body, or no check matches).
    /// </summary>
    public static Monitor? FindUnique(CheckSpec spec, IEnumerable<Monitor> checks)
    {
        if (spec.Unique is not { Count: > 0 } unique)
        {
            return null;
        }
        var wanted = new Dictionary<string, bool>
        {
            ["name"] = spec.Name is not null,
            ["slug"] = spec.Slug is not null,
            ["tags"] = spec.Tags is not null,
            ["timeout"] = spec.Timeout is not null,
            ["grace"] = spec.Grace is not null,
        };
        if (unique.Any(field => !wanted[field]))
        {
            return null;
        }
        return checks.OrderBy(c => c.CreatedAt).FirstOrDefault(c =>
            (!unique.Contains("name") || c.Name == spec.Name)
            && (!unique.Contains("slug") || (c.Slug ?? "") == spec.Slug)
            && (!unique.Contains("tags") || string.Join(' ', c.Tags) == spec.Tags)
            && (!unique.Contains("timeout") || c.Period == spec.Timeout)
            && (!unique.Contains("grace") || c.Grace == spec.Grace));
    }

    /// <summary>
    /// Applies the fields given; <paramref name="version"/> below 3 makes the slug from the name.
    /// <paramref name="channels"/> is the resolved channel list, or null to keep the monitor's.
    /// </summary>
    public static Monitor Apply(Monitor m, CheckSpec spec, int version, IReadOnlyList<string>? channels)
    {
        if (spec.Name is { } name)
        {
            m = m with { Name = name };
            if (version < 3)
            {
                m = m with { Slug = EmptyAsNull(Slugify(name)) };
            }
        }
        if (spec.Kind == "simple")
        {
            m = m with { Period = spec.Timeout!.Value, Schedule = null };
        }
        else if (spec.Kind == "cron")
        {
            m = m with { Schedule = spec.Schedule!.Trim() };
        }
        var rules = m.PingRules;
        // subject and subject_fail are Healthchecks' older names for the e-mail subject keywords.
        if (spec.Subject is { } subject)
        {
            rules = rules with { SuccessKeywords = subject };
            rules = rules with { FilterSubject = rules.SuccessKeywords.Length > 0 || rules.FailureKeywords.Length > 0 };
        }
        if (spec.SubjectFail is { } subjectFail)
        {
            rules = rules with { FailureKeywords = subjectFail };
            rules = rules with { FilterSubject = rules.SuccessKeywords.Length > 0 || rules.FailureKeywords.Length > 0 };
        }
        rules = rules with
        {
            Methods = spec.Methods ?? rules.Methods,
            StartKeywords = spec.StartKw ?? rules.StartKeywords,
            SuccessKeywords = spec.SuccessKw ?? rules.SuccessKeywords,
            FailureKeywords = spec.FailureKw ?? rules.FailureKeywords,
            FilterSubject = spec.FilterSubject ?? rules.FilterSubject,
            FilterBody = spec.FilterBody ?? rules.FilterBody,
            FilterHttpBody = spec.FilterHttpBody ?? rules.FilterHttpBody,
            FilterDefaultFail = spec.FilterDefaultFail ?? rules.FilterDefaultFail,
        };
        return m with
        {
            Slug = spec.Slug is { } slug ? EmptyAsNull(slug) : m.Slug,
            Tags = spec.Tags is { } tags ? [.. tags.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)] : m.Tags,
            Description = spec.Desc ?? m.Description,
            ManualResume = spec.ManualResume ?? m.ManualResume,
            Tz = spec.Tz ?? m.Tz,
            Grace = spec.Grace ?? m.Grace,
            PingRules = rules,
            Channels = channels ?? m.Channels,
        };
    }

    /// <summary>
    /// A slug as Healthchecks (Django's <c>slugify</c>) makes one from a name: accents dropped,
    /// lower case, only letters, digits, '_' and '-', runs of spaces and dashes as one dash.
    /// </summary>
    public static string Slugify(string name)
    {
        var plain = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKD))
        {
            if (c < 128)
            {
                plain.Append(char.ToLowerInvariant(c));
            }
        }
        var slug = new StringBuilder();
        var pendingDash = false;
        foreach (var c in plain.ToString())
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                if (pendingDash && slug.Length > 0)
                {
                    slug.Append('-');
                }
                pendingDash = false;
                slug.Append(c);
            }
            else if (c == '-' || char.IsWhiteSpace(c))
            {
                pendingDash = true;
            }
        }
        return slug.ToString().Trim('-', '_');
    }

    private static string? EmptyAsNull(string text) => text.Length == 0 ? null : text;
}
