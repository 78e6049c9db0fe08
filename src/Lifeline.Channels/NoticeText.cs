using System.Globalization;
using System.Text;

namespace Lifeline.Channels;

/// <summary>What kind of news a notice is; chat channels pick colours and symbols from it.</summary>
public enum NoticeTone
{
    Down,
    Up,
    Test,
}

/// <summary>One labelled line of a notice, e.g. "Reason: HTTP 503".</summary>
public sealed record NoticeFact(string Label, string Value);

/// <summary>
/// A notice in plain words, shared by every chat and mail channel: a short title, one headline
/// (what happened and since when), labelled facts (reason, last message, last heard from, kind)
/// and the link to the monitor. Channels render it in their own markup.
/// </summary>
public sealed record NoticeText(NoticeTone Tone, string Title, string Headline, IReadOnlyList<NoticeFact> Facts, string? Link)
{
    /// <summary>Longest reason or last message carried, in characters [1,000].</summary>
    public const int MaxValueLength = 1000;

    /// <summary>A symbol for chat titles: a red circle, a check mark, or a test tube.</summary>
    public string Symbol => Tone switch
    {
        NoticeTone.Down => "\U0001F534",
        NoticeTone.Up => "\u2705",
        _ => "\U0001F9EA",
    };

    /// <summary>The headline, facts and link as plain lines.</summary>
    public string Body
    {
        get
        {
            var text = new StringBuilder(Headline);
            foreach (var fact in Facts)
            {
                text.Append('\n').Append(fact.Label).Append(": ").Append(fact.Value);
            }
            if (Link is not null)
            {
                text.Append('\n').Append(Link);
            }
            return text.ToString();
        }
    }

    /// <summary>Title, a blank line, then the body.</summary>
    public string ToPlainText() => $"{Title}\n\n{Body}";

    /// <summary>Most monitors named in the headline of a grouped notice [10].</summary>
    public const int MaxGroupNames = 10;

    /// <summary>Most monitors listed with their reason in a grouped notice [20].</summary>
    public const int MaxGroupFacts = 20;

    public static NoticeText From(Notice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (notice.Group is { Count: > 1 } group)
        {
            return FromGroup(notice, group);
        }
        var monitor = notice.Monitor;
        var name = string.IsNullOrWhiteSpace(monitor.Name) ? "A monitor" : monitor.Name.Trim();
        NoticeTone tone;
        string title, headline;
        if (notice.IsDown)
        {
            tone = NoticeTone.Down;
            title = $"{name} is DOWN";
            headline = $"Down since {Time(notice.IncidentStartedAt ?? notice.At)}.";
        }
        else if (notice.IsUp)
        {
            tone = NoticeTone.Up;
            title = $"{name} is UP again";
            headline = notice.IncidentStartedAt is { } started && started <= notice.At
                ? $"Recovered at {Time(notice.At)} after {Duration(notice.At - started)} down (since {Time(started)})."
                : $"Recovered at {Time(notice.At)}.";
        }
        else
        {
            tone = NoticeTone.Test;
            title = string.IsNullOrWhiteSpace(monitor.Name) ? "Test notice from Lifeline" : $"Test notice for {name}";
            headline = $"Sent at {Time(notice.At)} to check that this channel works. Nothing is wrong.";
        }

        var facts = new List<NoticeFact>();
        var reason = Clip(notice.Reason);
        if (reason.Length > 0)
        {
            facts.Add(new NoticeFact(tone == NoticeTone.Down ? "Reason" : "Note", reason));
        }
        var lastMessage = Clip(monitor.LastMessage);
        if (lastMessage.Length > 0 && lastMessage != reason)
        {
            facts.Add(new NoticeFact("Last message", lastMessage));
        }
        if (tone != NoticeTone.Test || monitor.LastSignalAt is not null)
        {
            facts.Add(new NoticeFact("Last heard from", monitor.LastSignalAt is { } seen ? Time(seen) : "never"));
        }
        if (!string.IsNullOrWhiteSpace(monitor.Kind))
        {
            facts.Add(new NoticeFact("Kind", monitor.Kind));
        }
        if (notice.Dependants is { } dependants and > 0)
        {
            facts.Add(new NoticeFact("Dependants", DependantsText(dependants, notice.DependantsDown ?? 0)));
        }
        var link = string.IsNullOrWhiteSpace(monitor.Url) ? null : monitor.Url;
        return new NoticeText(tone, title, headline, facts, link);
    }

    /// <summary>
    /// A storm as one notice: "12 monitors DOWN", a headline naming the first ones ("12 monitors
    /// down: a, b, c and 9 more."), then one fact per monitor with its reason, the list cut short
    /// so that every channel's size limit holds.
    /// </summary>
    private static NoticeText FromGroup(Notice notice, IReadOnlyList<Notice> group)
    {
        var up = notice.IsUp;
        var names = group.Select(n => Cut(string.IsNullOrWhiteSpace(n.Monitor.Name) ? "a monitor" : n.Monitor.Name.Trim(), 60)).ToList();
        var listed = string.Join(", ", names.Take(MaxGroupNames));
        var more = names.Count > MaxGroupNames ? $" and {names.Count - MaxGroupNames} more" : "";
        var title = up ? $"{group.Count} monitors UP again" : $"{group.Count} monitors DOWN";
        var headline = up
            ? $"{group.Count} monitors recovered by {Time(notice.At)}: {listed}{more}."
            : $"{group.Count} monitors down by {Time(notice.At)}: {listed}{more}.";
        var facts = new List<NoticeFact>();
        foreach (var (member, name) in group.Zip(names).Take(MaxGroupFacts))
        {
            var reason = Cut(Clip(member.Reason), 150);
            var since = up ? "" : $" (since {Time(member.IncidentStartedAt ?? member.At)})";
            facts.Add(new NoticeFact(name, reason.Length > 0 ? reason + since : since.Trim()));
        }
        if (group.Count > MaxGroupFacts)
        {
            facts.Add(new NoticeFact("More", $"{group.Count - MaxGroupFacts} more monitors, not listed here"));
        }
        return new NoticeText(up ? NoticeTone.Up : NoticeTone.Down, title, headline, facts, null);
    }

    /// <summary>"3 dependants affected (1 already down); their down notices are held": one line for all of them.</summary>
    public static string DependantsText(int dependants, int down)
    {
        var count = dependants == 1 ? "1 dependant affected" : $"{dependants} dependants affected";
        var already = down > 0 ? $" ({down} already down)" : "";
        return $"{count}{already}; their down notices are held while this monitor is down";
    }

    /// <summary>An instant as <c>2026-01-05 12:00:00 UTC</c>.</summary>
    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration in at most two units: <c>45 s</c>, <c>5 min</c>, <c>2 h 5 min</c>, <c>3 d 4 h</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        if (span.TotalMinutes < 1)
        {
            return $"{(int)span.TotalSeconds} s";
        }
        if (span.TotalHours < 1)
        {
            return $"{(int)span.TotalMinutes} min";
        }
        if (span.TotalDays < 1)
        {
            return span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min";
        }
        return span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>Cuts text to at most <paramref name="max"/> characters, ending with an ellipsis, never between the halves of a surrogate pair.</summary>
    public static string Cut(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }
        var keep = Math.Max(0, max - 1);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return string.Concat(text.AsSpan(0, keep), "\u2026");
    }

    private static string Clip(string? text) => text is null ? "" : Cut(text.Trim(), MaxValueLength);
}
