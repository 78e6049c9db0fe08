using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lifeline.Server.Config;

/// <summary>
/// Reads the config file of <c>lifeline serve --config</c>: Lifeline's own <c>channels</c>,
/// <c>monitors</c> and <c>statusPages</c> lists, whose fields are the admin API's JSON fields, and a
/// Gatus <c>endpoints</c> list as Gatus writes it. YAML becomes the same JSON the API takes, so the
/// API's own checks judge it. <c>${NAME}</c> in a value is the environment variable NAME. Every
/// problem is reported, each as <c>file:line:col: message</c>.
/// </summary>
public static partial class ConfigReader
{
    /// <summary>Fields a monitor of the file may have: the admin API's, and <c>key</c>.</summary>
    private static readonly HashSet<string> MonitorFields = new(StringComparer.Ordinal)
    {
        "key", "name", "slug", "description", "kind", "tags", "channels", "remindEvery", "notifyRecovery", "dependsOn",
        "period", "timeout", "grace", "tz", "schedule", "manualResume", "pushToken", "target", "url", "dns", "interval",
        "retries", "retryInterval", "successThreshold", "conditions", "method", "headers", "body", "locations", "quorum", "allAddresses",
    };

    /// <summary>Fields of a Gatus endpoint Lifeline reads; the others (alerts, client, ui...) are Gatus' own and left aside.</summary>
    private static readonly string[] GatusFields = ["name", "url", "dns", "conditions", "interval", "method", "headers", "body"];

    /// <summary>Top-level sections of a Gatus config.yaml besides endpoints: accepted, not read.</summary>
    private static readonly HashSet<string> GatusSections = new(StringComparer.Ordinal)
    {
        "alerting", "storage", "web", "ui", "metrics", "security", "connectivity", "maintenance", "external-endpoints",
        "skip-invalid-config-update", "concurrency", "disable-monitoring-lock", "remote", "announcements", "suites",
    };

    /// <summary>Fields whose values are text even when they look like a number or a boolean.</summary>
    private static readonly HashSet<string> TextFields = new(StringComparer.Ordinal)
    {
        "key", "name", "slug", "title", "description", "kind", "target", "url", "body", "method", "tz", "schedule",
        "pushToken", "chatId", "botToken", "token", "secret", "routingKey", "topic", "group", "query-name", "query-type",
        // Lists of names, ids and conditions: each item is text.
        "tags", "channels", "dependsOn", "conditions", "monitors", "locations", "to",
    };

    /// <param name="path">The file as named to the user in problems.</param>
    public static (ConfigDocument? Document, IReadOnlyList<string> Problems) Read(string path, string text)
    {
        var problems = new List<string>();
        void Problem(FilePosition at, string message) => problems.Add($"{path}:{at.Line}:{at.Column}: {message}");

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // The parser stops at the first syntax error: there is nothing further to read.
            Problem(new FilePosition((int)ex.Start.Line, (int)ex.Start.Column), Message(ex));
            return (null, problems);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return (new ConfigDocument([], [], []), problems);
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Problem(At(stream.Documents[0].RootNode), "the file must be a mapping with channels:, monitors:, statusPages: or endpoints: lists");
            return (null, problems);
        }

        var converter = new Converter(Problem);
        var channels = new List<ConfigItem>();
        var monitors = new List<ConfigItem>();
        var pages = new List<ConfigItem>();
        foreach (var (keyNode, value) in root.Children)
        {
            var section = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (section)
            {
                case "channels":
                    foreach (var (item, body) in Items(value, section, converter, Problem))
                    {
                        if (Text(body, "name") is not { Length: > 0 } name)
                        {
                            Problem(At(item), "channels: each channel needs a name (monitors refer to it by name)");
                            continue;
                        }
                        channels.Add(Item(name, body, item));
                    }
                    break;
                case "monitors":
                    foreach (var (item, body) in Items(value, section, converter, Problem))
                    {
                        foreach (var (fieldKey, _) in item.Children)
                        {
                            if (fieldKey is YamlScalarNode { Value: { } field } && !MonitorFields.Contains(field))
                            {
                                Problem(At(fieldKey), $"monitors: '{field}' is not a monitor field");
                            }
                        }
                        var key = Text(body, "key") ?? Text(body, "name");
                        if (string.IsNullOrWhiteSpace(key))
                        {
                            Problem(At(item), "monitors: each monitor needs a name (or a key that names it in this file)");
                            continue;
                        }
                        body.Remove("key");
                        monitors.Add(Item(key.Trim(), body, item));
                    }
                    break;
                case "statusPages":
                    foreach (var (item, body) in Items(value, section, converter, Problem))
                    {
                        if (Text(body, "slug") is not { Length: > 0 } slug)
                        {
                            Problem(At(item), "statusPages: each status page needs a slug");
                            continue;
                        }
                        pages.Add(Item(slug, body, item));
                    }
                    break;
                case "endpoints":
                    foreach (var (item, body) in Items(value, section, converter, Problem))
                    {
                        if (Gatus(body) is not { } endpoint)
                        {
                            continue;
                        }
                        if (endpoint.Key.Length == 0)
                        {
                            Problem(At(item), "endpoints: each endpoint needs a name");
                            continue;
                        }
                        monitors.Add(Item(endpoint.Key, endpoint.Body, item));
                    }
                    break;
                default:
                    if (!GatusSections.Contains(section))
                    {
                        Problem(At(keyNode), $"'{section}' is not a section of a Lifeline config file (channels, monitors, statusPages, or a Gatus endpoints list)");
                    }
                    break;
            }
        }
        Duplicates(channels, "channel", "name", Problem);
        Duplicates(monitors, "monitor", "key (its name, or group/name for a Gatus endpoint)", Problem);
        Duplicates(pages, "status page", "slug", Problem);
        return (new ConfigDocument(channels, monitors, pages), problems);
    }

    /// <summary>A Gatus endpoint as the monitor API takes it (the API reads url and dns as Gatus writes them); null for a disabled one.</summary>
    private static (string Key, JsonObject Body)? Gatus(JsonObject endpoint)
    {
        if (endpoint["enabled"] is JsonValue enabled && enabled.TryGetValue<bool>(out var on) && !on)
        {
            return null;
        }
        var body = new JsonObject();
        foreach (var field in GatusFields)
        {
            if (endpoint.TryGetPropertyValue(field, out var value))
            {
                body[field] = value?.DeepClone();
            }
        }
        var name = Text(endpoint, "name")?.Trim() ?? "";
        var group = Text(endpoint, "group")?.Trim();
        if (!string.IsNullOrEmpty(group))
        {
            body["tags"] = new JsonArray(group);
        }
        // Gatus tells endpoints apart by group and name.
        return (string.IsNullOrEmpty(group) || name.Length == 0 ? name : $"{group}/{name}", body);
    }

    private static IEnumerable<(YamlMappingNode Item, JsonObject Body)> Items(YamlNode section, string name, Converter converter, Action<FilePosition, string> problem)
    {
        if (section is YamlScalarNode { Value: null or "" })
        {
            yield break;
        }
        if (section is not YamlSequenceNode list)
        {
            problem(At(section), $"{name} must be a list (each item starting with '- ')");
            yield break;
        }
        foreach (var node in list.Children)
        {
            if (node is not YamlMappingNode item)
            {
                problem(At(node), $"{name}: each item must be a mapping of fields");
                continue;
            }
            yield return (item, (JsonObject)converter.Convert(item, field: null)!);
        }
    }

    private static ConfigItem Item(string key, JsonObject body, YamlMappingNode node) =>
        new(key, body, At(node), node.Children
            .Where(c => c.Key is YamlScalarNode { Value: not null })
            .GroupBy(c => ((YamlScalarNode)c.Key).Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => At(g.First().Key), StringComparer.Ordinal));

    private static void Duplicates(List<ConfigItem> items, string what, string by, Action<FilePosition, string> problem)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items.Where(i => !seen.Add(i.Key)).ToList())
        {
            problem(item.At, $"another {what} has the {by} '{item.Key}'; each must be unique");
            items.Remove(item);
        }
    }

    private static string? Text(JsonObject body, string field) =>
        body[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static FilePosition At(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    /// <summary>YamlDotNet's message without the position it also carries in its own words.</summary>
    private static string Message(YamlException ex)
    {
        var message = (ex.InnerException as YamlException ?? ex).Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }

    /// <summary>Turns YAML nodes into JSON, typing plain scalars as YAML does (numbers, true/false, null) except in text fields.</summary>
    private sealed partial class Converter(Action<FilePosition, string> problem)
    {
        public JsonNode? Convert(YamlNode node, string? field) => node switch
        {
            YamlMappingNode map => Mapping(map, field),
            YamlSequenceNode list => new JsonArray([.. list.Children.Select(c => Convert(c, field))]),
            YamlScalarNode scalar => Scalar(scalar, field),
            _ => null,
        };

        private JsonObject Mapping(YamlMappingNode map, string? field)
        {
            var json = new JsonObject();
            foreach (var (keyNode, value) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                // Header values are always text, whatever they look like.
                json[key] = Convert(value, field == "headers" ? "headers" : key);
            }
            return json;
        }

        private JsonValue? Scalar(YamlScalarNode scalar, string? field)
        {
            var text = Expand(scalar);
            if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || (field is not null && (TextFields.Contains(field) || field == "headers")))
            {
                return JsonValue.Create(text);
            }
            if (text is "" or "~" or "null" or "Null" or "NULL")
            {
                return null;
            }
            if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            {
                return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
            }
            // Numbers as parsed JSON, as the API sees them (readable as any number type).
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                return JsonNode.Parse(whole.ToString(CultureInfo.InvariantCulture))!.AsValue();
            }
            if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
            {
                return JsonNode.Parse(real.ToString("R", CultureInfo.InvariantCulture))!.AsValue();
            }
            return JsonValue.Create(text);
        }

        /// <summary>The scalar with <c>${NAME}</c> replaced by the environment variable; an unset one is a problem.</summary>
        private string Expand(YamlScalarNode scalar) =>
            EnvironmentReference().Replace(scalar.Value ?? "", m =>
            {
                var value = Environment.GetEnvironmentVariable(m.Groups[1].Value);
                if (value is null)
                {
                    problem(At(scalar), $"environment variable {m.Groups[1].Value} is not set");
                }
                return value ?? "";
            });

        [GeneratedRegex(@"\A[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
        private static partial Regex FloatPattern();

        [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
        private static partial Regex EnvironmentReference();
    }
}
