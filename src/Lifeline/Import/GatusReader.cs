using System.Globalization;
using System.Text.RegularExpressions;
using Lifeline.Client.Admin;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lifeline.Cli.Import;

/// <summary>
/// Reads a Gatus <c>config.yaml</c>: its <c>endpoints</c> become active monitors with their
/// conditions as written (Lifeline evaluates Gatus conditions), and its <c>alerting</c>
/// providers become channels. Environment variables (<c>${VAR}</c>, <c>$VAR</c>) are expanded
/// first, as Gatus does.
/// </summary>
internal static partial class GatusReader
{
    public static ImportPlan Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportSourceException($"cannot read the Gatus configuration {path}: {ex.Message}", ex);
        }
        return Parse(ExpandEnvironment(text));
    }

    public static ImportPlan Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ImportSourceException($"the Gatus configuration is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {ex.Message}", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ImportSourceException("the Gatus configuration is empty or not a mapping");
        }
        var items = new List<ImportItem>();
        if (Child(root, "alerting") is YamlMappingNode alerting)
        {
            foreach (var (key, value) in alerting.Children)
            {
                items.Add(MapProvider(Scalar(key) ?? "?", value as YamlMappingNode ?? []));
            }
        }
        var channelKeys = items.Where(i => i.Channel is not null).Select(i => i.Key!).ToHashSet(StringComparer.Ordinal);
        var endpoints = (Child(root, "endpoints") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>().ToList() ?? [];
        var names = endpoints.GroupBy(e => Scalar(Child(e, "name")) ?? "").Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            items.Add(MapEndpoint(endpoint, names, channelKeys));
        }
        foreach (var external in (Child(root, "external-endpoints") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
        {
            var name = Scalar(Child(external, "name")) ?? "?";
            items.Add(new ImportItem
            {
                Source = $"external endpoint \"{name}\"",
                SourceType = "external-endpoint",
                Skipped = "Gatus' push URL and bearer token have no Lifeline form; create a push monitor and point the client at its push URL",
            });
        }
        if (items.Count == 0)
        {
            throw new ImportSourceException("the Gatus configuration has no endpoints and no alerting providers");
        }
        return new ImportPlan("Gatus", items, []);
    }

    private static string ProviderKey(string type) => "gatus-alerting:" + type;

    private static ImportItem MapEndpoint(YamlMappingNode e, HashSet<string> duplicateNames, HashSet<string> channelKeys)
    {
        var name = Scalar(Child(e, "name")) ?? "endpoint";
        var group = Scalar(Child(e, "group"));
        var url = Scalar(Child(e, "url"))?.Trim() ?? "";
        var item = new ImportItem
        {
            Source = $"endpoint \"{(group is null ? name : group + "/" + name)}\"",
            SourceType = Child(e, "dns") is not null ? "dns" : SchemeOf(url),
            Paused = Scalar(Child(e, "enabled")) is "false",
        };
        var notes = new List<string>();
        var monitor = new NewMonitor
        {
            // Gatus tells endpoints apart by group and name; Lifeline by name alone.
            Name = duplicateNames.Contains(name) && group is not null ? $"{group}/{name}" : name,
            Tags = group is null ? null : [group],
            Conditions = (Child(e, "conditions") as YamlSequenceNode)?.Children.Select(Scalar).OfType<string>().ToList(),
        };
        if (Scalar(Child(e, "interval")) is { } intervalText)
        {
            if (GoDuration.TryParse(intervalText, out var interval))
            {
                monitor = monitor with { Interval = interval.TotalSeconds };
            }
            else
            {
                notes.Add($"its interval \"{intervalText}\" is not a duration; 60 s is used");
            }
        }
        if (Child(e, "client") is YamlMappingNode client && Scalar(Child(client, "timeout")) is { } timeoutText && GoDuration.TryParse(timeoutText, out var timeout))
        {
            monitor = monitor with { Timeout = Math.Min(timeout.TotalSeconds, Mapping.MaxTimeout) };
        }
        if (Child(e, "dns") is YamlMappingNode dns)
        {
            var query = Scalar(Child(dns, "query-name"))?.TrimEnd('.');
            if (string.IsNullOrEmpty(query))
            {
                return item with { Skipped = "its dns block has no query-name" };
            }
            monitor = monitor with { Kind = "dns", Target = url.Length == 0 ? query : $"{query}@{url}", Method = Scalar(Child(dns, "query-type"))?.ToUpperInvariant() };
        }
        else
        {
            var scheme = SchemeOf(url);
            switch (scheme)
            {
                case "http" or "https":
                    monitor = monitor with
                    {
                        Kind = "http",
                        Target = url,
                        Method = Scalar(Child(e, "method")) is { } method && !method.Equals("GET", StringComparison.OrdinalIgnoreCase) ? method.ToUpperInvariant() : null,
                        Body = Scalar(Child(e, "body")),
                        Headers = Child(e, "headers") is YamlMappingNode headers
                            ? headers.Children.ToDictionary(h => Scalar(h.Key) ?? "", h => Scalar(h.Value) ?? "", StringComparer.OrdinalIgnoreCase)
                            : null,
                    };
                    break;
                case "tcp":
                    monitor = monitor with { Kind = "tcp", Target = url["tcp://".Length..].TrimEnd('/') };
                    break;
                case "tls":
                    monitor = monitor with { Kind = "tls", Target = url["tls://".Length..].TrimEnd('/') };
                    break;
                default:
                    return item with
                    {
                        Skipped = scheme switch
                        {
                            "icmp" => "Lifeline has no ICMP ping check; a tcp monitor on a port the host listens on comes closest",
                            "" => $"its url \"{url}\" has no scheme Lifeline can check",
                            _ => $"Lifeline has no \"{scheme}\" check (it checks http, https, tcp, tls and dns)",
                        },
                    };
            }
            if (Child(e, "client") is YamlMappingNode c && Scalar(Child(c, "insecure")) is "true")
            {
                notes.Add("client.insecure is not available: the check fails on an invalid certificate");
            }
        }
        if (Child(e, "ui") is not null || Child(e, "maintenance-windows") is not null)
        {
            notes.Add("ui and maintenance-windows settings are not carried over");
        }

        var links = new List<string>();
        var failureThresholds = new List<int>();
        var successThresholds = new List<int>();
        var resolvedNotices = false;
        foreach (var alert in (Child(e, "alerts") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
        {
            if (Scalar(Child(alert, "enabled")) is "false")
            {
                continue;
            }
            var type = Scalar(Child(alert, "type")) ?? "?";
            if (channelKeys.Contains(ProviderKey(type)))
            {
                links.Add(ProviderKey(type));
            }
            else
            {
                notes.Add($"its {type} alert has no imported channel to go to");
            }
            failureThresholds.Add(Int(Child(alert, "failure-threshold")) ?? 3);
            successThresholds.Add(Int(Child(alert, "success-threshold")) ?? 2);
            resolvedNotices |= Scalar(Child(alert, "send-on-resolved")) is "true";
        }
        if (failureThresholds.Count > 0)
        {
            // Gatus alerts after failure-threshold failures in a row: Lifeline goes down after 1 + retries.
            var retries = Math.Clamp(failureThresholds.Min() - 1, 0, 100);
            monitor = monitor with
            {
                Retries = retries > 0 ? retries : null,
                SuccessThreshold = Math.Clamp(successThresholds.Min(), 1, 100),
                // Gatus sends a resolved notice only when an alert asks for it (send-on-resolved).
                NotifyRecovery = resolvedNotices ? null : false,
            };
        }
        return item with { Monitor = monitor, Notes = notes, ChannelKeys = links.Distinct().ToList() };
    }

    private static ImportItem MapProvider(string type, YamlMappingNode p)
    {
        var item = new ImportItem { Source = $"alerting provider \"{type}\"", SourceType = "alerting: " + type, Key = ProviderKey(type) };
        var notes = new List<string>();
        var name = "gatus " + type;
        NewChannel? channel = type switch
        {
            "slack" => Mapping.Channel("slack", name, ("url", Get(p, "webhook-url"))),
            "discord" => Mapping.Channel("discord", name, ("url", Get(p, "webhook-url"))),
            "teams" or "teams-workflows" => Mapping.Channel("teams", name, ("url", Get(p, "webhook-url"))),
            "telegram" => Mapping.Channel("telegram", name,
                ("botToken", Get(p, "token")),
                ("chatId", Get(p, "id")),
                ("apiBase", Get(p, "api-url") is { } api && api.TrimEnd('/') != "https://api.telegram.org" ? api.TrimEnd('/') : null)),
            "ntfy" => Mapping.Channel("ntfy", name, ("url", Get(p, "url") ?? "https://ntfy.sh"), ("topic", Get(p, "topic")), ("token", Get(p, "token"))),
            "gotify" => Mapping.Channel("gotify", name, ("url", Get(p, "server-url")), ("token", Get(p, "token"))),
            "pagerduty" => Mapping.Channel("pagerduty", name, ("routingKey", Get(p, "integration-key"))),
            "email" => Email(p, name, notes),
            "custom" => Custom(p, name, notes),
            _ => null,
        };
        if (channel is null)
        {
            return item with { Skipped = $"Lifeline has no \"{type}\" channel (it sends to {Mapping.ChannelKinds})" };
        }
        if (Child(p, "overrides") is not null)
        {
            notes.Add("per-group overrides are not carried over");
        }
        return item with { Channel = channel, Notes = notes };
    }

    private static NewChannel Email(YamlMappingNode p, string name, List<string> notes)
    {
        notes.Add($"SMTP comes from the Lifeline server's settings (Lifeline:Smtp:*), not from the channel: Gatus used {Get(p, "host")}:{Get(p, "port")} from {Get(p, "from")}");
        return Mapping.Channel("email", name, ("to", Mapping.Addresses(Get(p, "to"))));
    }

    private static NewChannel Custom(YamlMappingNode p, string name, List<string> notes)
    {
        if (Get(p, "body") is not null || Child(p, "headers") is not null || (Get(p, "method") is { } method && !method.Equals("POST", StringComparison.OrdinalIgnoreCase)))
        {
            notes.Add("Lifeline posts its own JSON notice (Standard Webhooks) instead of the custom method, headers and body");
        }
        return Mapping.Channel("webhook", name, ("url", Get(p, "url")));
    }

    private static string? Get(YamlMappingNode node, string key) => Scalar(Child(node, key));

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { } value } ? value : null;

    private static int? Int(YamlNode? node) =>
        int.TryParse(Scalar(node), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string SchemeOf(string url)
    {
        var at = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 ? url[..at].ToLowerInvariant() : "";
    }

    /// <summary>Replaces <c>${NAME}</c> and <c>$NAME</c> with the environment's value (empty when unset), as Gatus does before parsing.</summary>
    public static string ExpandEnvironment(string text) =>
        EnvironmentReference().Replace(text, m => Environment.GetEnvironmentVariable(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) ?? "");

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex EnvironmentReference();
}
