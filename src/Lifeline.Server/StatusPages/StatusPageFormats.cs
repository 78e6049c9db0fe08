using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Lifeline.Server.Endpoints;

namespace Lifeline.Server.StatusPages;

/// <summary>A status page as JSON (<c>/status/{slug}/json</c>) and its notes as an Atom feed (<c>/status/{slug}/feed</c>).</summary>
internal static class StatusPageFormats
{
    public static byte[] Json(StatusView view)
    {
        var json = new JsonObject
        {
            ["slug"] = view.Page.Slug,
            ["title"] = view.Page.Title,
            ["description"] = view.Page.Description,
            ["status"] = view.BannerKey,
            ["statusText"] = view.BannerText,
            ["uptime"] = Round(view.Uptime),
            ["uptimeDays"] = StatusViews.Days,
            ["updatedAt"] = MonitorJson.Time(view.At),
            ["groups"] = new JsonArray([.. view.Groups.Select(g => (JsonNode)new JsonObject
            {
                ["name"] = g.Name,
                ["monitors"] = new JsonArray([.. g.Monitors.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name,
                    ["status"] = m.StateKey,
                    ["statusText"] = m.StateText,
                    ["uptime"] = Round(m.Uptime),
                    ["days"] = new JsonArray([.. m.Days.Select(d => (JsonNode)new JsonObject
                    {
                        ["date"] = d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["uptime"] = Round(d.Ratio),
                        ["downtime"] = Math.Round(d.Downtime.TotalSeconds),
                    })]),
                })]),
            })]),
            ["maintenance"] = new JsonArray([.. view.Maintenance.Select(m => (JsonNode)new JsonObject
            {
                ["start"] = MonitorJson.Time(m.Start),
                ["end"] = MonitorJson.Time(m.End),
                ["inProgress"] = m.InProgress,
                ["monitors"] = new JsonArray([.. m.Monitors.Select(n => JsonValue.Create(n))]),
            })]),
            ["incidents"] = new JsonArray([.. view.Notes.Select(n => (JsonNode)Note(n))]),
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public static JsonObject Note(StatusNote n) => new()
    {
        ["id"] = n.Id,
        ["title"] = n.Title,
        ["body"] = n.Body,
        ["state"] = NoteStates.Of(n.State),
        ["createdAt"] = MonitorJson.Time(n.CreatedAt),
        ["updatedAt"] = MonitorJson.Time(n.UpdatedAt),
    };

    /// <summary>Percent with two decimals, rounded down (99.999% is not shown as 100%).</summary>
    private static double? Round(double? ratio) => ratio is { } r ? Math.Floor(r * 10000) / 100 : null;

    public static byte[] Atom(StatusView view)
    {
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false };
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            const string Ns = "http://www.w3.org/2005/Atom";
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Ns);
            xml.WriteElementString("id", Ns, view.PageUrl);
            xml.WriteElementString("title", Ns, view.Page.Title + " incidents");
            var updated = view.Notes.Count > 0 ? view.Notes.Max(n => n.UpdatedAt) : view.Page.CreatedAt;
            xml.WriteElementString("updated", Ns, AtomTime(updated));
            Link(xml, Ns, view.PageUrl, "alternate");
            Link(xml, Ns, view.PageUrl + "/feed", "self");
            xml.WriteStartElement("author", Ns);
            xml.WriteElementString("name", Ns, view.Page.Title);
            xml.WriteEndElement();
            foreach (var note in view.Notes)
            {
                var state = NoteStates.Of(note.State);
                xml.WriteStartElement("entry", Ns);
                xml.WriteElementString("id", Ns, $"{view.PageUrl}#note-{note.Id}");
                xml.WriteElementString("title", Ns, $"[{state}] {note.Title}");
                xml.WriteElementString("published", Ns, AtomTime(note.CreatedAt));
                xml.WriteElementString("updated", Ns, AtomTime(note.UpdatedAt));
                Link(xml, Ns, view.PageUrl, "alternate");
                xml.WriteStartElement("category", Ns);
                xml.WriteAttributeString("term", state);
                xml.WriteEndElement();
                xml.WriteStartElement("content", Ns);
                xml.WriteAttributeString("type", "text");
                xml.WriteString(note.Body.Length > 0 ? note.Body : note.Title);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return buffer.ToArray();
    }

    private static void Link(XmlWriter xml, string ns, string href, string rel)
    {
        xml.WriteStartElement("link", ns);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    private static string AtomTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
