using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Lifeline.Server.StatusPages;

/// <summary>
/// A status page as one self-contained HTML document: inline CSS (light and dark), no scripts,
/// every value HTML-encoded, uptime bars as inline SVG with a title per day.
/// </summary>
internal static class StatusPageHtml
{
    private const string Css = """
        :root{--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#5b6470;--line:#e3e6ea;--up:#1f9d55;--late:#c27c0e;--down:#d0312d;--maint:#2f6fdf;--none:#c9ced6;--mid:#e0a100;--b-up:#1a7f45;--b-part:#b45309;--b-major:#c62828;--b-maint:#2f5fc4}
        @media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#171b21;--text:#e6e9ed;--muted:#9aa4b1;--line:#2a3038;--up:#2fbf6b;--late:#e0a100;--down:#f0524d;--maint:#5b93f5;--none:#39414c;--mid:#d4a017;--b-up:#17663a;--b-part:#92400e;--b-major:#9b1c1c;--b-maint:#254a9c}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{max-width:860px;margin:0 auto;padding:24px 16px 48px}
        h1{font-size:1.6rem;margin:0 0 4px}
        h2{font-size:1.1rem;margin:32px 0 12px}
        h3{font-size:1rem;margin:0}
        .lead{color:var(--muted);margin:0 0 20px}
        .banner{border-radius:10px;padding:16px 18px;font-weight:600;font-size:1.1rem;color:#fff;display:flex;justify-content:space-between;flex-wrap:wrap;gap:8px}
        .banner small{font-weight:400;opacity:.9;font-size:.85rem}
        .banner.operational{background:var(--b-up)}.banner.partial_outage{background:var(--b-part)}.banner.major_outage{background:var(--b-major)}.banner.maintenance{background:var(--b-maint)}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:4px 16px;margin-bottom:16px}
        .group-head{display:flex;justify-content:space-between;padding:12px 0 4px;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.04em}
        .monitor{padding:12px 0;border-top:1px solid var(--line)}
        .group-head+.monitor{border-top:0}
        .row{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
        .name{font-weight:600;overflow-wrap:anywhere}
        .state{font-size:.9rem;font-weight:600;white-space:nowrap}
        .state::before{content:"";display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:currentColor}
        .s-up{color:var(--up)}.s-late,.s-degraded{color:var(--late)}.s-down{color:var(--down)}.s-paused,.s-new{color:var(--muted)}.s-maintenance{color:var(--maint)}
        svg.bars{display:block;width:100%;height:30px;margin:8px 0 2px}
        .bars rect{fill:var(--none)}.bars rect.ok{fill:var(--up)}.bars rect.mid{fill:var(--mid)}.bars rect.bad{fill:var(--down)}
        .scale{display:flex;justify-content:space-between;color:var(--muted);font-size:.78rem}
        .note{padding:14px 0;border-top:1px solid var(--line)}.note:first-child{border-top:0}
        .note p{margin:6px 0;white-space:pre-line;overflow-wrap:anywhere}
        .tag{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 8px;border-radius:99px;border:1px solid currentColor;margin-right:8px}
        .t-investigating{color:var(--down)}.t-identified{color:var(--late)}.t-monitoring{color:var(--maint)}.t-resolved{color:var(--up)}
        .meta{color:var(--muted);font-size:.82rem}
        .empty{color:var(--muted);padding:12px 0;margin:0}
        footer{margin-top:32px;color:var(--muted);font-size:.8rem;display:flex;justify-content:space-between;flex-wrap:wrap;gap:8px}
        a{color:var(--maint)}
        @media (max-width:480px){main{padding:16px 12px 32px}h1{font-size:1.35rem}.banner{font-size:1rem}}
        """;

    public static byte[] Render(StatusView view)
    {
        var html = new StringBuilder(16 * 1024);
        var title = E(view.Page.Title);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><title>").Append(title).Append("</title>")
            .Append("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"").Append(title).Append(" incidents\" href=\"").Append(E(view.PageUrl)).Append("/feed\">")
            .Append("<style>").Append(Css).Append("</style></head><body><main>");
        html.Append("<h1>").Append(title).Append("</h1>");
        if (view.Page.Description.Length > 0)
        {
            html.Append("<p class=\"lead\">").Append(E(view.Page.Description)).Append("</p>");
        }
        html.Append("<div class=\"banner ").Append(view.BannerKey).Append("\" role=\"status\" id=\"banner\"><span>").Append(view.BannerText).Append("</span>");
        if (view.Uptime is { } uptime)
        {
            html.Append("<small id=\"uptime\">").Append(Percent(uptime)).Append(" uptime, last ").Append(StatusViews.Days).Append(" days</small>");
        }
        html.Append("</div>");

        Maintenance(html, view);
        html.Append("<h2>Services</h2>");
        foreach (var group in view.Groups)
        {
            html.Append("<section class=\"card group\" aria-label=\"").Append(E(group.Name)).Append("\"><div class=\"group-head\"><h3>").Append(E(group.Name)).Append("</h3></div>");
            if (group.Monitors.Count == 0)
            {
                html.Append("<p class=\"empty\">No monitors in this group.</p>");
            }
            foreach (var monitor in group.Monitors)
            {
                Monitor(html, monitor);
            }
            html.Append("</section>");
        }
        Notes(html, view);
        html.Append("<footer><span>Updated ").Append(Time(view.At)).Append("</span><a href=\"").Append(E(view.PageUrl)).Append("/feed\">Atom feed</a></footer>");
        html.Append("</main></body></html>");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    private static void Monitor(StringBuilder html, MonitorView m)
    {
        html.Append("<div class=\"monitor\"><div class=\"row\"><span class=\"name\">").Append(E(m.Name)).Append("</span>")
            .Append("<span class=\"state s-").Append(m.StateKey).Append("\">").Append(m.StateText).Append("</span></div>");
        const int Bar = 4, Gap = 1;
        var width = m.Days.Count * (Bar + Gap) - Gap;
        html.Append("<svg class=\"bars\" viewBox=\"0 0 ").Append(width).Append(" 30\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
            .Append(E(m.Name)).Append(": uptime per day, last ").Append(m.Days.Count).Append(" days\">");
        for (var i = 0; i < m.Days.Count; i++)
        {
            var day = m.Days[i];
            var kind = day.Ratio switch { null => "", >= 0.999 => "ok", >= 0.95 => "mid", _ => "bad" };
            html.Append("<rect x=\"").Append(i * (Bar + Gap)).Append("\" width=\"").Append(Bar).Append("\" height=\"30\" rx=\"1\"");
            if (kind.Length > 0)
            {
                html.Append(" class=\"").Append(kind).Append('"');
            }
            html.Append("><title>").Append(day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(": ")
                .Append(day.Ratio is { } r ? $"{Percent(r)} up{(day.Downtime > TimeSpan.Zero ? $", down {Duration(day.Downtime)}" : "")}" : "no data")
                .Append("</title></rect>");
        }
        html.Append("</svg><div class=\"scale\"><span>").Append(m.Days.Count).Append(" days ago</span><span>")
            .Append(m.Uptime is { } u ? Percent(u) + " uptime" : "no data").Append("</span><span>Today</span></div></div>");
    }

    private static void Maintenance(StringBuilder html, StatusView view)
    {
        if (view.Maintenance.Count == 0)
        {
            return;
        }
        html.Append("<h2>Scheduled maintenance</h2><section class=\"card\" id=\"maintenance\">");
        foreach (var m in view.Maintenance)
        {
            html.Append("<div class=\"note\"><span class=\"tag t-monitoring\">").Append(m.InProgress ? "In progress" : "Scheduled").Append("</span>")
                .Append("<span class=\"meta\">").Append(Time(m.Start)).Append(m.End is { } end ? " to " + Time(end) : " until further notice").Append("</span>")
                .Append("<p>Affects: ").Append(E(string.Join(", ", m.Monitors))).Append("</p></div>");
        }
        html.Append("</section>");
    }

    private static void Notes(StringBuilder html, StatusView view)
    {
        html.Append("<h2>Incidents</h2><section class=\"card\" id=\"notes\">");
        if (view.Notes.Count == 0)
        {
            html.Append("<p class=\"empty\">No incidents reported.</p>");
        }
        foreach (var note in view.Notes)
        {
            var state = NoteStates.Of(note.State);
            html.Append("<article class=\"note\"><h3><span class=\"tag t-").Append(state).Append("\">").Append(state).Append("</span>").Append(E(note.Title)).Append("</h3>");
            if (note.Body.Length > 0)
            {
                html.Append("<p>").Append(E(note.Body)).Append("</p>");
            }
            html.Append("<div class=\"meta\">Posted ").Append(Time(note.CreatedAt));
            if (note.UpdatedAt > note.CreatedAt)
            {
                html.Append(" · updated ").Append(Time(note.UpdatedAt));
            }
            html.Append("</div></article>");
        }
        html.Append("</section>");
    }

    /// <summary>The "not found" page for an unknown slug.</summary>
    public static byte[] NotFound() => Encoding.UTF8.GetBytes(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">" +
        "<meta name=\"color-scheme\" content=\"light dark\"><title>Status page not found</title><style>" + Css + "</style></head>" +
        "<body><main><h1>Status page not found</h1><p class=\"lead\">There is no status page at this address.</p></main></body></html>");

    private static string E(string text) => HtmlEncoder.Default.Encode(text);

    public static string Percent(double ratio) => (Math.Floor(ratio * 10000) / 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min" : $"{(int)span.TotalSeconds} s";
}
