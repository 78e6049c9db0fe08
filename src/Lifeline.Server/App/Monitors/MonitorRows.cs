using System.Globalization;

namespace Lifeline.Server.App.Monitors;

/// <summary>One cell of a heartbeat bar: <c>ok</c>, <c>fail</c>, <c>info</c> (a start, a log line, an inconclusive check) or <c>none</c> (no event yet).</summary>
public sealed record HeartbeatCell(string State, string Title);

/// <summary>What one row of the monitor list shows.</summary>
public sealed record MonitorRow(
    Monitor Monitor,
    IReadOnlyList<HeartbeatCell> Beats,
    double? Uptime24h,
    double? Uptime30d,
    long? ResponseMs,
    int? CertificateDays);

/// <summary>
/// Builds the rows of a page of monitors from two batch reads (their newest events, their incidents
/// of the last 30 days), whatever the number of monitors on the page: no query per monitor.
/// </summary>
public static class MonitorRows
{
    /// <summary>Cells in a heartbeat bar [30].</summary>
    public const int Beats = 30;

    public static async Task<IReadOnlyList<MonitorRow>> ReadAsync(IReadOnlyList<Monitor> monitors, IMonitorOverviewStore store, DateTimeOffset now, CancellationToken ct)
    {
        if (monitors.Count == 0)
        {
            return [];
        }
        var ids = monitors.Select(m => m.Id).ToList();
        var events = await store.RecentEventsAsync(ids, Beats, ct);
        var incidents = (await store.IncidentsBetweenAsync(ids, now.AddDays(-30), now, ct)).ToLookup(i => i.MonitorId, StringComparer.Ordinal);
        return [.. monitors.Select(m =>
        {
            var recent = events.TryGetValue(m.Id, out var found) ? found : [];
            var heard = m.LastSignalAt is not null || recent.Count > 0;
            return new MonitorRow(
                m,
                Bar(recent),
                heard ? Uptime.Of(incidents[m.Id], now.AddHours(-24), now, m.CreatedAt) : null,
                heard ? Uptime.Of(incidents[m.Id], now.AddDays(-30), now, m.CreatedAt) : null,
                ResponseMs(recent),
                CertificateDays(recent, now));
        })];
    }

    /// <summary>The bar for events given newest first: oldest on the left, padded with empty cells to <see cref="Beats"/>.</summary>
    public static IReadOnlyList<HeartbeatCell> Bar(IReadOnlyList<MonitorEvent> newestFirst)
    {
        var cells = new List<HeartbeatCell>(Beats);
        for (var i = newestFirst.Count; i < Beats; i++)
        {
            cells.Add(new HeartbeatCell("none", "no result yet"));
        }
        for (var i = Math.Min(newestFirst.Count, Beats) - 1; i >= 0; i--)
        {
            cells.Add(Cell(newestFirst[i]));
        }
        return cells;
    }

    public static HeartbeatCell Cell(MonitorEvent e)
    {
        var state = e.Type is SignalKind.Start or SignalKind.Log or SignalKind.Ignored || e.Unknown ? "info" : e.Ok ? "ok" : "fail";
        var word = state switch { "ok" => "up", "fail" => "down", _ => e.Unknown ? "unknown" : Signal.WireName(e.Type) };
        var title = $"{Time(e.At)} · {word}";
        if (ResponseOf(e) is { } ms)
        {
            title += $" · {ms} ms";
        }
        if (!string.IsNullOrEmpty(e.Msg))
        {
            title += " · " + (e.Msg.Length > 120 ? e.Msg[..120] + "…" : e.Msg);
        }
        return new HeartbeatCell(state, title);
    }

    /// <summary>The newest response time: a check's duration, or a push's <c>ping</c>.</summary>
    public static long? ResponseMs(IReadOnlyList<MonitorEvent> newestFirst) =>
        newestFirst.Select(ResponseOf).FirstOrDefault(ms => ms is not null);

    public static long? ResponseOf(MonitorEvent e) =>
        e.Type == SignalKind.Check ? (e.Unknown ? null : e.DurationMs) : e.Ping is { } ping ? (long)Math.Round(ping) : null;

    /// <summary>Whole days until the newest certificate seen expires; negative once expired.</summary>
    public static int? CertificateDays(IReadOnlyList<MonitorEvent> newestFirst, DateTimeOffset now) =>
        newestFirst.FirstOrDefault(e => e.CertificateExpiresAt is not null)?.CertificateExpiresAt is { } expiry
            ? (int)Math.Floor((expiry - now).TotalDays)
            : null;

    public static string Percent(double? share) => share switch
    {
        null => "—",
        >= 1 => "100%",
        // Never round a down minute up to 100 %.
        { } s => (Math.Floor(s * 10_000) / 100).ToString("0.00", CultureInfo.InvariantCulture) + "%",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for none.</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } t)
        {
            return "never";
        }
        var span = now - t;
        return span.TotalSeconds < 1 ? "just now"
            : span.TotalMinutes < 1 ? $"{(int)span.TotalSeconds} s ago"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min ago"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h ago"
            : $"{(int)span.TotalDays} d ago";
    }
}
