using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lifeline.Client.Admin;
using Microsoft.Data.Sqlite;

namespace Lifeline.Cli.Import;

/// <summary>
/// Reads an Uptime Kuma database (<c>kuma.db</c>, SQLite, opened read-only): its monitors, its
/// notifications, which monitors alert which notifications, and the monitors' tags. Columns that
/// an older Kuma lacks read as absent, so any Kuma from 1.x on can be read.
/// </summary>
internal static partial class KumaReader
{
    /// <summary>Reads the database at <paramref name="path"/> into a plan.</summary>
    public static ImportPlan Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ImportSourceException($"no Uptime Kuma database at {path} (it is data/kuma.db in Kuma's data folder)");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        using (connection)
        {
            try
            {
                connection.Open();
                if (!TableExists(connection, "monitor"))
                {
                    throw new ImportSourceException($"{path} is not an Uptime Kuma database: it has no monitor table");
                }
                return Read(connection);
            }
            catch (SqliteException ex)
            {
                throw new ImportSourceException($"cannot read {path} as an Uptime Kuma database: {ex.Message}", ex);
            }
        }
    }

    private static ImportPlan Read(SqliteConnection db)
    {
        var monitors = Rows(db, "SELECT * FROM monitor ORDER BY id");
        var notifications = TableExists(db, "notification") ? Rows(db, "SELECT * FROM notification ORDER BY id") : [];
        var links = TableExists(db, "monitor_notification") ? Rows(db, "SELECT monitor_id, notification_id FROM monitor_notification ORDER BY id") : [];
        var tags = TableExists(db, "monitor_tag") && TableExists(db, "tag")
            ? Rows(db, "SELECT mt.monitor_id, t.name, mt.value FROM monitor_tag mt JOIN tag t ON t.id = mt.tag_id ORDER BY mt.id")
            : [];

        var items = notifications.Select(MapNotification).ToList();

        var byId = monitors.ToDictionary(m => Long(m, "id") ?? 0);
        foreach (var row in monitors)
        {
            var id = Long(row, "id") ?? 0;
            var monitorTags = tags.Where(t => Long(t, "monitor_id") == id)
                .Select(t => Text(t, "value") is { Length: > 0 } value ? $"{Text(t, "name")}:{value}" : Text(t, "name") ?? "")
                .Where(t => t.Length > 0)
                .ToList();
            // Lifeline has no groups: a monitor inside a Kuma group carries the group's name as a tag.
            if (Long(row, "parent") is { } parent && byId.TryGetValue(parent, out var group) && Text(group, "name") is { Length: > 0 } groupName)
            {
                monitorTags.Add(groupName);
            }
            var channels = links.Where(l => Long(l, "monitor_id") == id)
                .Select(l => NotificationKey(Long(l, "notification_id") ?? 0))
                .Distinct()
                .ToList();
            var children = monitors.Count(m => Long(m, "parent") == id);
            items.Add(MapMonitor(row, monitorTags.Distinct().ToList(), channels, children));
        }
        return new ImportPlan("Uptime Kuma", items, []);
    }

    private static string NotificationKey(long id) => "kuma-notification:" + id.ToString(CultureInfo.InvariantCulture);

    private static ImportItem MapMonitor(Dictionary<string, object?> row, List<string> tags, List<string> channels, int children)
    {
        var id = Long(row, "id") ?? 0;
        var type = (Text(row, "type") ?? "http").Trim().ToLowerInvariant();
        var name = Text(row, "name") is { Length: > 0 } n ? n.Trim() : $"monitor {id}";
        var item = new ImportItem
        {
            Source = $"monitor #{id} \"{name}\"",
            SourceType = type,
            ChannelKeys = channels,
            Paused = Long(row, "active") == 0,
        };
        if (Long(row, "upside_down") == 1 && type != "group")
        {
            return item with { Skipped = "upside-down mode (up when the check fails) has no Lifeline counterpart" };
        }
        var notes = new List<string>();
        var monitor = new NewMonitor
        {
            Name = name,
            Tags = tags.Count == 0 ? null : tags,
            Description = Text(row, "description") is { Length: > 0 } d ? d : null,
        };
        monitor = type switch
        {
            "http" => Http(row, monitor, notes),
            "keyword" => Keyword(row, Http(row, monitor, notes), notes),
            "json-query" => JsonQuery(row, Http(row, monitor, notes), notes),
            "port" => Port(row, monitor, notes),
            "dns" => Dns(row, monitor, notes),
            "push" => Push(row, monitor, notes),
            _ => monitor with { Kind = "" },
        };
        if (monitor.Kind.Length == 0)
        {
            return item with
            {
                Skipped = type switch
                {
                    "group" => $"Lifeline has no monitor groups; its {children} monitor(s) carry the tag \"{name}\" instead",
                    "ping" => "Lifeline has no ICMP ping check; a tcp monitor on a port the host listens on comes closest",
                    _ => $"Lifeline has no \"{type}\" check (it checks http, tcp, dns and tls, and takes pushes)",
                },
            };
        }
        if (notes.Remove(Unmappable))
        {
            return item with { Skipped = string.Join("; ", notes) };
        }
        return item with { Monitor = monitor, Notes = notes };
    }

    /// <summary>A note that makes the whole monitor unmappable; the other notes then say why.</summary>
    private const string Unmappable = "\u0000";

    private static NewMonitor Active(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        var interval = Double(row, "interval") is > 0 and { } i ? i : 60;
        var timeout = Double(row, "timeout") is > 0 and { } t ? t : (double?)null;
        if (timeout > Mapping.MaxTimeout)
        {
            notes.Add($"timeout {Mapping.Seconds(timeout.Value)} is cut to Lifeline's limit of {Mapping.Seconds(Mapping.MaxTimeout)}");
            timeout = Mapping.MaxTimeout;
        }
        var retries = (int?)Long(row, "maxretries") is > 0 and { } r ? Math.Min(r, 100) : (int?)null;
        var retryInterval = Double(row, "retry_interval") is > 0 and { } ri && ri != interval ? ri : (double?)null;
        return m with { Interval = interval, Timeout = timeout, Retries = retries, RetryInterval = retries is null ? null : retryInterval };
    }

    private static NewMonitor Http(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        m = Active(row, m, notes) with { Kind = "http", Target = Text(row, "url")?.Trim() };
        if (string.IsNullOrWhiteSpace(m.Target) || !Uri.TryCreate(m.Target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            notes.Add($"its URL \"{m.Target}\" is not an http(s) URL");
            notes.Add(Unmappable);
            return m;
        }
        if (Text(row, "method") is { Length: > 0 } method && !method.Equals("GET", StringComparison.OrdinalIgnoreCase))
        {
            m = m with { Method = method.ToUpperInvariant() };
        }
        if (Text(row, "body") is { Length: > 0 } body)
        {
            m = m with { Body = body };
            if (Text(row, "http_body_encoding") is { Length: > 0 } encoding && !encoding.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                notes.Add($"the body is sent as it is; Kuma's \"{encoding}\" encoding is not applied");
            }
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Text(row, "headers") is { Length: > 0 } headerText)
        {
            try
            {
                if (JsonNode.Parse(headerText) is JsonObject headerObject)
                {
                    foreach (var (key, value) in headerObject)
                    {
                        headers[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                    }
                }
                else
                {
                    notes.Add("its headers are not a JSON object and are left out");
                }
            }
            catch (JsonException)
            {
                notes.Add("its headers are not valid JSON and are left out");
            }
        }
        var authMethod = Text(row, "auth_method");
        if (Text(row, "basic_auth_user") is { Length: > 0 } user && (authMethod is null or "" or "basic"))
        {
            var pair = Encoding.UTF8.GetBytes(user + ":" + (Text(row, "basic_auth_pass") ?? ""));
            headers["Authorization"] = "Basic " + Convert.ToBase64String(pair);
        }
        else if (authMethod is { Length: > 0 } and not "basic")
        {
            notes.Add($"\"{authMethod}\" authentication is not available; the check is sent without it");
        }
        if (headers.Count > 0)
        {
            m = m with { Headers = headers };
        }
        if (Long(row, "ignore_tls") == 1)
        {
            notes.Add("\"ignore TLS errors\" is not available: the check fails on an invalid certificate");
        }
        if (Long(row, "proxy_id") is not null)
        {
            notes.Add("its proxy is not available; the check goes direct");
        }
        return m with { Conditions = StatusConditions(Text(row, "accepted_statuscodes_json"), notes) };
    }

    /// <summary>Kuma's accepted status codes (<c>["200-299"]</c>, <c>["200","301"]</c>) as conditions.</summary>
    private static List<string> StatusConditions(string? json, List<string> notes)
    {
        var ranges = new List<(int From, int To)>();
        try
        {
            foreach (var entry in JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "[\"200-299\"]" : json) as JsonArray ?? [])
            {
                var text = entry?.ToString().Trim() ?? "";
                var match = StatusRange().Match(text);
                if (match.Success)
                {
                    var from = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    var to = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : from;
                    ranges.Add((Math.Min(from, to), Math.Max(from, to)));
                }
            }
        }
        catch (JsonException)
        {
            notes.Add("its accepted status codes are not readable; [STATUS] < 300 is used");
        }
        if (ranges.Count == 0)
        {
            return ["[STATUS] >= 200", "[STATUS] < 300"];
        }
        if (ranges.Count == 1)
        {
            var (from, to) = ranges[0];
            return from == to ? [$"[STATUS] == {from}"] : [$"[STATUS] >= {from}", $"[STATUS] <= {to}"];
        }
        var codes = ranges.SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1)).Distinct().Order().ToList();
        if (codes.Count <= 100)
        {
            return [$"[STATUS] == any({string.Join(", ", codes)})"];
        }
        notes.Add("several wide status-code ranges become the one span from the lowest to the highest");
        return [$"[STATUS] >= {codes[0]}", $"[STATUS] <= {codes[^1]}"];
    }

    private static NewMonitor Keyword(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        if (Text(row, "keyword") is not { Length: > 0 } keyword)
        {
            notes.Add("it has no keyword, so only its status code is checked");
            return m;
        }
        var op = Long(row, "invert_keyword") == 1 ? "not contains" : "contains";
        return m with { Conditions = [.. m.Conditions ?? [], $"[BODY] {op} {Mapping.Quote(keyword)}"] };
    }

    private static NewMonitor JsonQuery(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        var path = Text(row, "json_path")?.Trim() ?? "";
        var expected = Text(row, "expected_value") ?? "";
        var op = Text(row, "json_path_operator") is { Length: > 0 } o ? o.Trim() : "==";
        var simple = SimpleJsonPath().Match(path);
        if (!simple.Success || op is not ("==" or "!=" or "<" or "<=" or ">" or ">=" or "contains"))
        {
            notes.Add($"the JSON query \"{path}\" {op} \"{expected}\" is an expression Lifeline's [BODY].path conditions cannot express");
            notes.Add(Unmappable);
            return m;
        }
        var placeholder = "[BODY]" + (simple.Groups[1].Value.StartsWith('[') ? "" : ".") + simple.Groups[1].Value;
        var literal = double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && op is not ("contains") ? expected : Mapping.Quote(expected);
        return m with { Conditions = [.. m.Conditions ?? [], $"{placeholder} {op} {literal}"] };
    }

    private static NewMonitor Port(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        var host = Text(row, "hostname")?.Trim();
        var port = Long(row, "port");
        if (string.IsNullOrEmpty(host) || port is not (>= 1 and <= 65535))
        {
            notes.Add("it has no host name and port");
            notes.Add(Unmappable);
            return m;
        }
        var target = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        return Active(row, m, notes) with { Kind = "tcp", Target = target, Conditions = ["[CONNECTED] == true"] };
    }

    private static NewMonitor Dns(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        var host = Text(row, "hostname")?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            notes.Add("it has no host name to resolve");
            notes.Add(Unmappable);
            return m;
        }
        var target = host;
        if (Text(row, "dns_resolve_server") is { Length: > 0 } servers)
        {
            var all = servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var port = Long(row, "port") is > 0 and not 53 and { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "";
            target = $"{host}@{all[0]}{port}";
            if (all.Length > 1)
            {
                notes.Add($"only the first resolver ({all[0]}) is asked, not {string.Join(", ", all[1..])}");
            }
        }
        if (Text(row, "conditions") is { Length: > 2 } conditions && conditions.Trim() != "[]")
        {
            notes.Add("Kuma's DNS conditions are not carried over; the answer code is checked ([DNS_RCODE] == NOERROR)");
        }
        return Active(row, m, notes) with
        {
            Kind = "dns",
            Target = target,
            Method = Text(row, "dns_resolve_type") is { Length: > 0 } type ? type.ToUpperInvariant() : null,
            Conditions = ["[DNS_RCODE] == NOERROR"],
        };
    }

    private static NewMonitor Push(Dictionary<string, object?> row, NewMonitor m, List<string> notes)
    {
        var token = Text(row, "push_token");
        if (!Mapping.IsKeepableToken(token))
        {
            notes.Add(token is null
                ? "it has no push token yet (Kuma makes one when the monitor is saved)"
                : "its push token is not 8-64 characters of A-Z, a-z, 0-9, '_' and '-', so it cannot be kept");
            notes.Add(Unmappable);
            return m;
        }
        var period = Double(row, "interval") is > 0 and { } i ? i : 60;
        var retries = Long(row, "maxretries") ?? 0;
        var retryInterval = Double(row, "retry_interval") is > 0 and { } ri ? ri : period;
        // Kuma waits its retries out (each a retry interval) before down: that wait is the grace.
        var grace = retries > 0 ? retries * retryInterval : 0;
        return m with { Kind = "push", PushToken = token, Period = period, Grace = grace > 0 ? grace : null };
    }

    private static ImportItem MapNotification(Dictionary<string, object?> row)
    {
        var id = Long(row, "id") ?? 0;
        var name = Text(row, "name") is { Length: > 0 } n ? n.Trim() : $"notification {id}";
        JsonObject config;
        try
        {
            config = JsonNode.Parse(Text(row, "config") ?? "{}") as JsonObject ?? [];
        }
        catch (JsonException)
        {
            config = [];
        }
        var type = S(config, "type") ?? "";
        var item = new ImportItem { Source = $"notification #{id} \"{name}\"", SourceType = "notification: " + (type.Length == 0 ? "?" : type), Key = NotificationKey(id) };
        var notes = new List<string>();
        NewChannel? channel = type.ToLowerInvariant() switch
        {
            "webhook" => Webhook(config, name, notes),
            "slack" => Mapping.Channel("slack", name, ("url", S(config, "slackwebhookURL"))),
            "discord" => Mapping.Channel("discord", name, ("url", S(config, "discordWebhookUrl"))),
            "teams" => Mapping.Channel("teams", name, ("url", S(config, "webhookUrl"))),
            "telegram" => Telegram(config, name),
            "smtp" => Email(config, name, notes),
            "ntfy" => Ntfy(config, name, notes),
            "gotify" => Mapping.Channel("gotify", name, ("url", S(config, "gotifyserverurl")), ("token", S(config, "gotifyapplicationToken"))),
            "pagerduty" => PagerDuty(config, name),
            _ => null,
        };
        if (channel is null)
        {
            return item with { Skipped = $"Lifeline has no \"{type}\" channel (it sends to {Mapping.ChannelKinds})" };
        }
        if (Long(row, "active") == 0)
        {
            notes.Add("it is turned off in Kuma but is imported turned on");
        }
        return item with { Channel = channel, Notes = notes };
    }

    private static NewChannel Webhook(JsonObject c, string name, List<string> notes)
    {
        if (S(c, "webhookContentType") is { Length: > 0 } type && type != "json")
        {
            notes.Add($"Lifeline posts its own JSON notice (Standard Webhooks), not Kuma's \"{type}\" body");
        }
        if (S(c, "webhookAdditionalHeaders") is { Length: > 2 })
        {
            notes.Add("the extra headers are not sent");
        }
        return Mapping.Channel("webhook", name, ("url", S(c, "webhookURL")));
    }

    private static NewChannel Telegram(JsonObject c, string name)
    {
        var server = S(c, "telegramServerUrl")?.TrimEnd('/');
        var thread = S(c, "telegramMessageThreadID");
        return Mapping.Channel("telegram", name,
            ("botToken", S(c, "telegramBotToken")),
            ("chatId", S(c, "telegramChatID")),
            ("messageThreadId", long.TryParse(thread, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? JsonValue.Create(t) : null),
            ("apiBase", server is null || server == "https://api.telegram.org" ? null : server));
    }

    private static NewChannel Email(JsonObject c, string name, List<string> notes)
    {
        notes.Add($"SMTP comes from the Lifeline server's settings (Lifeline:Smtp:*), not from the channel: Kuma used {S(c, "smtpHost")}:{S(c, "smtpPort")} from {S(c, "smtpFrom")}");
        return Mapping.Channel("email", name, ("to", Mapping.Addresses(S(c, "smtpTo"), S(c, "smtpCC"), S(c, "smtpBCC"))));
    }

    private static NewChannel Ntfy(JsonObject c, string name, List<string> notes)
    {
        var auth = S(c, "ntfyAuthenticationMethod");
        if (auth == "usernamePassword" || (auth is null && S(c, "ntfyusername") is { Length: > 0 }))
        {
            notes.Add("ntfy user name and password are not available (an access token is); it is sent without them");
        }
        return Mapping.Channel("ntfy", name,
            ("url", S(c, "ntfyserverurl") ?? "https://ntfy.sh"),
            ("topic", S(c, "ntfytopic")),
            ("token", auth == "accessToken" ? S(c, "ntfyaccesstoken") : null));
    }

    private static NewChannel PagerDuty(JsonObject c, string name)
    {
        var url = S(c, "pagerdutyIntegrationUrl")?.Trim();
        if (url is not null && url.EndsWith("/v2/enqueue", StringComparison.Ordinal))
        {
            url = url[..^"/v2/enqueue".Length];
        }
        return Mapping.Channel("pagerduty", name,
            ("routingKey", S(c, "pagerdutyIntegrationKey")),
            ("apiBase", url is null or "" or "https://events.pagerduty.com" ? null : url));
    }

    private static string? S(JsonObject o, string key) =>
        o[key] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private static bool TableExists(SqliteConnection db, string table)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return command.ExecuteScalar() is not null;
    }

    private static List<Dictionary<string, object?>> Rows(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    private static string? Text(Dictionary<string, object?> row, string column) =>
        row.TryGetValue(column, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static long? Long(Dictionary<string, object?> row, string column) =>
        row.TryGetValue(column, out var value) && value is not null
            ? value switch
            {
                long l => l,
                double d => (long)d,
                string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
                bool b => b ? 1 : 0,
                _ => null,
            }
            : null;

    private static double? Double(Dictionary<string, object?> row, string column) =>
        row.TryGetValue(column, out var value) && value is not null
            ? value switch
            {
                long l => l,
                double d => d,
                string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    [GeneratedRegex(@"^(\d{3})(?:\s*-\s*(\d{3}))?$")]
    private static partial Regex StatusRange();

    /// <summary>A JSONata path that is only names and indexes (<c>status</c>, <c>$.data.items[0].ok</c>).</summary>
    [GeneratedRegex(@"^(?:\$\.?)?((?:[A-Za-z_][A-Za-z0-9_]*|\[\d+\])(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)$")]
    private static partial Regex SimpleJsonPath();
}
