using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// Reads a Gatus endpoint posted to the monitors API as Gatus writes it: <c>url</c>, whose scheme
/// picks the kind (<c>http://</c> and <c>https://</c> → http, <c>tcp://</c> → tcp, <c>tls://</c> →
/// tls), or with a <c>dns</c> object (<c>query-name</c>, <c>query-type</c>) a dns monitor asking the
/// nameserver in <c>url</c>. Without a kind, a <c>target</c> URL picks the kind the same way. What
/// cannot be understood is refused naming its field, never dropped: a push monitor takes no
/// <c>url</c>, <c>target</c> or <c>conditions</c>.
/// </summary>
internal static class GatusEndpoint
{
    private const string Checked = "http://, https://, tcp://, tls:// and DNS (url with a dns object)";

    /// <param name="inferKind">Creating without a <c>kind</c>: the kind comes from <c>url</c> or <c>target</c>.</param>
    public static Monitor Apply(JsonObject body, Monitor m, bool inferKind, List<FieldError> errors)
    {
        var url = Present(body, "url");
        var dns = Present(body, "dns");
        var target = Present(body, "target");
        var conditions = Present(body, "conditions") is JsonArray { Count: > 0 };
        if (url is not null)
        {
            if (target is not null)
            {
                errors.Add(new("url", "url: give either url (as Gatus writes it) or target, not both"));
                return m;
            }
            if (!TryRead(url, dns, errors, out var kind, out var read, out var method))
            {
                return m;
            }
            if (!inferKind && kind != m.Kind)
            {
                errors.Add(new("url", $"url: {url.ToJsonString()} makes a {WireNames.Of(kind)} monitor, but this monitor is {WireNames.Of(m.Kind)}"));
                return m;
            }
            return m with { Kind = kind, Target = read, Method = method ?? m.Method };
        }
        if (dns is not null)
        {
            errors.Add(new("dns", "dns: a Gatus DNS endpoint also needs url, the address of the nameserver to ask (such as 8.8.8.8)"));
            return m;
        }
        if (inferKind && m.Kind == MonitorKind.Push && (target is not null || conditions))
        {
            if (target is null)
            {
                errors.Add(new("target", "target (or url) is required for conditions to be checked; a monitor without one is a push monitor, which has no conditions"));
                return m;
            }
            if (Text(target) is { } text && KindOfScheme(text) is { } kind)
            {
                return m with { Kind = kind };
            }
            errors.Add(new("kind", "kind is required when target is not a URL: push, http, tcp, dns or tls"));
            return m;
        }
        if (m.Kind == MonitorKind.Push)
        {
            if (target is not null)
            {
                errors.Add(new("target", "target: push monitors have none; give kind http, tcp, dns or tls for an active check"));
            }
            else if (conditions)
            {
                errors.Add(new("conditions", "conditions: push monitors have none; give kind http, tcp, dns or tls (and a target) for an active check"));
            }
        }
        return m;
    }

    /// <summary>A tcp or tls target written as a URL (<c>tcp://db:5432</c>) as the host:port it names.</summary>
    public static string HostPortOf(MonitorKind kind, string target)
    {
        var prefix = kind switch { MonitorKind.Tcp => "tcp://", MonitorKind.Tls => "tls://", _ => null };
        return prefix is not null && target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? target[prefix.Length..].TrimEnd('/')
            : target;
    }

    private static bool TryRead(JsonNode url, JsonNode? dns, List<FieldError> errors, out MonitorKind kind, out string target, out string? method)
    {
        kind = MonitorKind.Push;
        target = "";
        method = null;
        if (Text(url) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new("url", "url must be a non-empty string"));
            return false;
        }
        text = text.Trim();
        if (dns is not null)
        {
            if (dns is not JsonObject query || Text(Present(query, "query-name")) is not { Length: > 0 } name)
            {
                errors.Add(new("dns", "dns must be an object with query-name (the name to resolve) and query-type (A, AAAA, CNAME...)"));
                return false;
            }
            var type = Present(query, "query-type");
            if (type is not null && Text(type) is not { Length: > 0 })
            {
                errors.Add(new("dns", "dns: query-type must be a record type such as A, AAAA or MX"));
                return false;
            }
            kind = MonitorKind.Dns;
            target = $"{name.TrimEnd('.')}@{text}";
            method = (Text(type) ?? "A").ToUpperInvariant();
            return true;
        }
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            errors.Add(new("url", $"url must be an absolute URL such as https://example.com/health or tcp://db:5432, not \"{text}\" (Lifeline checks {Checked})"));
            return false;
        }
        if (KindOfScheme(text) is not { } found)
        {
            errors.Add(new("url", $"url: Lifeline cannot check {text[..separator].ToLowerInvariant()}:// endpoints; it checks {Checked}"));
            return false;
        }
        kind = found;
        target = HostPortOf(kind, text);
        return true;
    }

    private static MonitorKind? KindOfScheme(string text)
    {
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        return separator <= 0 ? null : text[..separator].ToLowerInvariant() switch
        {
            "http" or "https" => MonitorKind.Http,
            "tcp" => MonitorKind.Tcp,
            "tls" => MonitorKind.Tls,
            _ => null,
        };
    }

    private static JsonNode? Present(JsonObject body, string name) => body.TryGetPropertyValue(name, out var node) ? node : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
