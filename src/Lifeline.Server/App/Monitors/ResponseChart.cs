using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Lifeline.Server.App.Monitors;

/// <summary>One point of a response-time chart: its time, milliseconds (null for a gap) and whether it failed.</summary>
public readonly record struct ChartPoint(DateTimeOffset At, double? Ms, bool Failed, string Title);

/// <summary>
/// A response-time chart as inline SVG, drawn on the server: a line of the points over
/// [from, to], a dot for each failure, a few grid lines, and a text summary for screen readers.
/// </summary>
public static class ResponseChart
{
    private const int Width = 800;
    private const int Height = 200;
    private const int Left = 64;
    private const int Bottom = 22;
    private const int Top = 8;

    public static MarkupString Svg(string label, IReadOnlyList<ChartPoint> points, DateTimeOffset from, DateTimeOffset to, string cssClass = "")
    {
        var values = points.Where(p => p.Ms is not null).Select(p => p.Ms!.Value).ToList();
        var max = NiceCeiling(values.Count == 0 ? 100 : values.Max());
        var span = Math.Max(1, (to - from).TotalMilliseconds);
        double X(DateTimeOffset at) => Left + ((Width - Left - 4) * Math.Clamp((at - from).TotalMilliseconds / span, 0, 1));
        double Y(double ms) => Top + ((Height - Top - Bottom) * (1 - Math.Min(ms, max) / max));
        var summary = values.Count == 0
            ? $"{label}: no response times yet"
            : $"{label}: {values.Count} points, median {Median(values):0} ms, highest {values.Max():0} ms";
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart {cssClass}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Enc(summary)}\"><title>{Enc(summary)}</title>");
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - 4}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v:0.#} ms</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left}\" y=\"{Height - 4}\">{Label(from, to - from)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Width - 4}\" y=\"{Height - 4}\" text-anchor=\"end\">{Label(to, to - from)}</text>");
        // Consecutive points make one line; a gap (no value) starts the next.
        var run = new List<string>();
        void Flush()
        {
            if (run.Count > 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line\" points=\"{string.Join(' ', run)}\"/>");
            }
            else if (run.Count == 1)
            {
                var xy = run[0].Split(',');
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"line\" cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"1.5\"/>");
            }
            run.Clear();
        }
        foreach (var p in points.OrderBy(p => p.At))
        {
            if (p.Ms is { } ms)
            {
                run.Add(string.Create(CultureInfo.InvariantCulture, $"{X(p.At):0.#},{Y(ms):0.#}"));
            }
            else
            {
                Flush();
            }
        }
        Flush();
        foreach (var p in points.Where(p => p.Failed))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"fail\" cx=\"{X(p.At):0.#}\" cy=\"{Height - Bottom - 3}\" r=\"3\"><title>{Enc(p.Title)}</title></circle>");
        }
        svg.Append("</svg>");
        return new MarkupString(svg.ToString());
    }

    private static string Label(DateTimeOffset at, TimeSpan span) =>
        at.UtcDateTime.ToString(span > TimeSpan.FromDays(2) ? "MMM d" : "HH:mm", CultureInfo.InvariantCulture) + (span > TimeSpan.FromDays(2) ? "" : " UTC");

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 100;
        }
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (value <= step * magnitude)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Enc(string text) => WebUtility.HtmlEncode(text);
}
