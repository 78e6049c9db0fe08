using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Encodings.Web;

namespace Lifeline.Server.StatusPages;

/// <summary>
/// Flat, shields-style SVG badges and Shields.io endpoint JSON for one monitor: its name and state,
/// or its uptime. Nothing else of the monitor appears in them.
/// </summary>
internal static class Badges
{
    private const string Green = "#4c1", Yellow = "#dfb317", Orange = "#fe7d37", Red = "#e05d44", Grey = "#9f9f9f", Blue = "#007ec6";

    public static (string Message, string Color) Status(Monitor monitor, bool inMaintenance) => monitor.Status switch
    {
        _ when inMaintenance && monitor.Status != MonitorStatus.Up => ("maintenance", Blue),
        MonitorStatus.Up => ("up", Green),
        MonitorStatus.Late => ("late", Yellow),
        MonitorStatus.Degraded => ("degraded", Yellow),
        MonitorStatus.Down => ("down", Red),
        MonitorStatus.Paused => ("paused", Grey),
        _ => ("new", Grey),
    };

    public static (string Message, string Color) UptimeMessage(double? ratio) => ratio switch
    {
        null => ("no data", Grey),
        >= 0.999 => (StatusPageHtml.Percent(ratio.Value), Green),
        >= 0.99 => (StatusPageHtml.Percent(ratio.Value), Yellow),
        >= 0.95 => (StatusPageHtml.Percent(ratio.Value), Orange),
        _ => (StatusPageHtml.Percent(ratio.Value), Red),
    };

    /// <summary>The Shields.io endpoint format: <c>{"schemaVersion":1,"label","message","color"}</c>.</summary>
    public static byte[] Shields(string label, string message, string color) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schemaVersion"] = 1,
        ["label"] = label,
        ["message"] = message,
        ["color"] = color.TrimStart('#'),
    }.ToJsonString());

    public static byte[] Svg(string label, string message, string color)
    {
        var labelWidth = TextWidth(label) + 10;
        var messageWidth = TextWidth(message) + 10;
        var width = labelWidth + messageWidth;
        var l = E(label);
        var m = E(message);
        var svg = new StringBuilder(1024);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" aria-label=\"{l}: {m}\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{l}: {m}</title>")
            .Append("<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
            .Append(CultureInfo.InvariantCulture, $"<clipPath id=\"r\"><rect width=\"{width}\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>")
            .Append(CultureInfo.InvariantCulture, $"<g clip-path=\"url(#r)\"><rect width=\"{labelWidth}\" height=\"20\" fill=\"#555\"/><rect x=\"{labelWidth}\" width=\"{messageWidth}\" height=\"20\" fill=\"{color}\"/><rect width=\"{width}\" height=\"20\" fill=\"url(#s)\"/></g>")
            .Append("<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth / 2.0:0.#}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{l}</text><text x=\"{labelWidth / 2.0:0.#}\" y=\"14\">{l}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + messageWidth / 2.0:0.#}\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">{m}</text><text x=\"{labelWidth + messageWidth / 2.0:0.#}\" y=\"14\">{m}</text>")
            .Append("</g></svg>");
        return Encoding.UTF8.GetBytes(svg.ToString());
    }

    /// <summary>A close estimate of Verdana 11px text width, in pixels.</summary>
    private static int TextWidth(string text)
    {
        var width = 0.0;
        foreach (var c in text)
        {
            width += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '!' or '|' or '\'' => 3.5,
                'f' or 't' or 'r' or ' ' or '(' or ')' or '[' or ']' or '-' => 4.5,
                'm' or 'w' or 'M' or 'W' or '%' => 10.5,
                >= 'A' and <= 'Z' => 7.5,
                _ => 6.6,
            };
        }
        return (int)Math.Ceiling(width);
    }

    /// <summary>XML-safe text: control characters (not allowed in XML) dropped, the rest HTML-encoded (which escapes all XML needs).</summary>
    private static string E(string text) => HtmlEncoder.Default.Encode(string.Concat(text.Where(c => !char.IsControl(c))));
}
