using System.Text;

namespace Lifeline.Channels.Telegram;

/// <summary>The bot's answers as Telegram HTML, split into messages of at most 4,096 characters.</summary>
public static class BotReplies
{
    public static IReadOnlyList<string> Help() =>
    [
        "<b>Lifeline bot</b>\n"
        + "/status \u2013 the server, the scheduler and every monitor, down ones first\n"
        + "/down \u2013 only monitors that are down or late\n"
        + "/pause &lt;name&gt; \u2013 pause a monitor (no alerts until resumed)\n"
        + "/resume &lt;name&gt; \u2013 resume a paused monitor\n"
        + "/ack &lt;name&gt; \u2013 acknowledge a monitor's incident (stops its reminders)\n"
        + "/help \u2013 this list",
    ];

    /// <summary>Server and scheduler state, counts, then every monitor (down, late, up, new, paused; by name within).</summary>
    public static IReadOnlyList<string> Status(BotStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var lines = new List<string>
        {
            "<b>Lifeline status</b>",
            $"Server: {TelegramHtml.Escape(status.ServerStatus)}, started {When(status.StartedAt, now)}",
            status.LastTickAt is { } tick
                ? $"Scheduler: {TelegramHtml.Escape(status.SchedulerStatus)}, last tick {When(tick, now)}"
                : $"Scheduler: {TelegramHtml.Escape(status.SchedulerStatus)}, no tick yet",
        };
        var nodes = status.Nodes ?? [];
        if (nodes.Count > 0)
        {
            lines.Add($"Nodes: {nodes.Count(n => n.Up)} of {nodes.Count} up");
            lines.AddRange(nodes.Select(n =>
                $"  {(n.Up ? "\u2705" : "\u274c")} {TelegramHtml.Escape(n.Address)} ({TelegramHtml.Escape(n.Id)}, {TelegramHtml.Escape(n.Version)}), seen {When(n.LastSeenAt, now)}{(n.Self ? ", answering" : "")}"));
        }
        lines.Add(Counts(status.Monitors));
        if (status.Monitors.Count > 0)
        {
            lines.Add("");
            lines.AddRange(Ordered(status.Monitors).Select(m => MonitorLine(m, now)));
        }
        return TelegramHtml.Split(lines);
    }

    /// <summary>Only the monitors that are down or late, or a line saying there are none.</summary>
    public static IReadOnlyList<string> Down(BotStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var bad = Ordered(status.Monitors).Where(m => m.Status is MonitorStatus.Down or MonitorStatus.Late).ToList();
        if (bad.Count == 0)
        {
            return [$"\u2705 Nothing is down or late ({Plural(status.Monitors.Count, "monitor")} watched)."];
        }
        var lines = new List<string> { $"<b>{Plural(bad.Count, "monitor")} down or late</b>", "" };
        lines.AddRange(bad.Select(m => MonitorLine(m, now)));
        return TelegramHtml.Split(lines);
    }

    /// <summary>Plain text from the backend, escaped, in as many messages as it needs.</summary>
    public static IReadOnlyList<string> Plain(string text) =>
        TelegramHtml.Split(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(TelegramHtml.Escape));

    /// <summary><c>3 h ago (2026-01-05 09:00:00 UTC)</c>.</summary>
    public static string When(DateTimeOffset at, DateTimeOffset now)
    {
        var relative = at > now ? "just now" : $"{NoticeText.Duration(now - at)} ago";
        return $"{relative} ({NoticeText.Time(at)})";
    }

    private static string MonitorLine(BotMonitor monitor, DateTimeOffset now)
    {
        var line = new StringBuilder();
        line.Append(Symbol(monitor.Status)).Append(" <b>").Append(TelegramHtml.Escape(monitor.Name)).Append("</b>: ")
            .Append(WireNames.Of(monitor.Status)).Append(", ")
            .Append(monitor.LastSignalAt is { } seen ? "last heard " + When(seen, now) : "never heard from");
        if (monitor.InMaintenance)
        {
            line.Append(", 🚧 in maintenance");
        }
        return line.ToString();
    }

    private static string Counts(IReadOnlyList<BotMonitor> monitors)
    {
        if (monitors.Count == 0)
        {
            return "No monitors yet.";
        }
        var parts = monitors.GroupBy(m => m.Status).OrderBy(g => Rank(g.Key)).Select(g => $"{g.Count()} {WireNames.Of(g.Key)}");
        return $"{Plural(monitors.Count, "monitor")}: {string.Join(", ", parts)}";
    }

    private static IEnumerable<BotMonitor> Ordered(IEnumerable<BotMonitor> monitors) =>
        monitors.OrderBy(m => Rank(m.Status)).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase);

    private static int Rank(MonitorStatus status) => status switch
    {
        MonitorStatus.Down => 0,
        MonitorStatus.Late or MonitorStatus.Degraded => 1,
        MonitorStatus.Up => 2,
        MonitorStatus.New => 3,
        _ => 4,
    };

    private static string Symbol(MonitorStatus status) => status switch
    {
        MonitorStatus.Down => "\U0001F534",
        MonitorStatus.Late or MonitorStatus.Degraded => "\U0001F7E0",
        MonitorStatus.Up => "\U0001F7E2",
        MonitorStatus.Paused => "\u23F8\uFE0F",
        _ => "\u26AA",
    };

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
