using Lifeline.Checks.Conditions;

namespace Lifeline.Checks;

/// <summary>
/// Checks an active monitor's definition at save time, and supplies the default conditions of
/// each kind. Error strings name the field first: <c>target: ...</c>, <c>conditions[1]: ...</c>.
/// </summary>
public static class CheckDefinition
{
    /// <summary>The conditions a monitor of <paramref name="kind"/> gets when it has none.</summary>
    public static IReadOnlyList<string> DefaultConditions(MonitorKind kind) => kind switch
    {
        MonitorKind.Http => ["[STATUS] < 400"],
        MonitorKind.Tcp or MonitorKind.Tls => ["[CONNECTED] == true"],
        MonitorKind.Dns => ["[DNS_RCODE] == NOERROR"],
        _ => [],
    };

    /// <summary>The monitor's own conditions, or its kind's defaults when it has none.</summary>
    public static IReadOnlyList<string> EffectiveConditions(MonitorKind kind, IReadOnlyList<string> conditions) =>
        conditions.Count > 0 ? conditions : DefaultConditions(kind);

    /// <summary>Problems with the target and conditions of an active monitor; empty when it is fine. Push monitors have none.</summary>
    public static IReadOnlyList<string> Validate(MonitorKind kind, string? target, IReadOnlyList<string> conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var errors = new List<string>();
        if (kind == MonitorKind.Push)
        {
            return errors;
        }
        if (string.IsNullOrWhiteSpace(target))
        {
            errors.Add($"target: required for {WireNames.Of(kind)} monitors ({TargetShape(kind)})");
        }
        else if (TargetError(kind, target.Trim()) is { } problem)
        {
            errors.Add($"target: {problem}");
        }
        errors.AddRange(ParseConditions(kind, conditions, out _));
        return errors;
    }

    /// <summary>
    /// <see cref="Validate(MonitorKind, string?, IReadOnlyList{string})"/> plus the monitor's other
    /// active fields: <c>timeout</c>, <c>interval</c>, <c>method</c> (an HTTP method, or for DNS
    /// the record types to ask for, such as <c>A,AAAA</c>) and <c>headers</c> (names are RFC 9110
    /// tokens; values hold no control characters but tab, so nothing can be smuggled onto the wire).
    /// </summary>
    public static IReadOnlyList<string> Validate(Monitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var errors = Validate(monitor.Kind, monitor.Target, monitor.Conditions).ToList();
        if (monitor.Kind == MonitorKind.Push)
        {
            return errors;
        }
        if (monitor.Timeout <= TimeSpan.Zero)
        {
            errors.Add("timeout: must be more than 0 seconds");
        }
        if (monitor.Interval <= TimeSpan.Zero)
        {
            errors.Add("interval: must be more than 0 seconds");
        }
        switch (monitor.Kind)
        {
            case MonitorKind.Http when monitor.Method is { } method && (method.Length == 0 || !method.All(char.IsAsciiLetter)):
                errors.Add($"method: '{Escape(method)}' is not an HTTP method");
                break;
            case MonitorKind.Dns when Targets.ReadDnsTypes(monitor.Method, out _) is { } problem:
                errors.Add($"method: {problem}");
                break;
            default:
                break;
        }
        errors.AddRange(HeaderErrors(monitor.Headers));
        return errors;
    }

    private static IEnumerable<string> HeaderErrors(IReadOnlyDictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                yield return $"headers: '{Escape(name)}' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)";
            }
            else if (value is null || value.Any(c => char.IsControl(c) && c != '\t'))
            {
                yield return $"headers: the value of '{name}' holds a control character (such as a line break)";
            }
        }
    }

    /// <summary>A <c>tchar</c> of RFC 9110 §5.6.2, the characters a header name is made of.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    /// <summary>Control characters written as escapes, so an error names them visibly.</summary>
    private static string Escape(string text) => string.Concat(text.Select(c => c switch
    {
        '\r' => "\\r",
        '\n' => "\\n",
        _ when char.IsControl(c) => $"\\u{(int)c:x4}",
        _ => c.ToString(),
    }));

    /// <summary>Parses conditions (or the kind's defaults) and checks each placeholder fits the kind.</summary>
    internal static List<string> ParseConditions(MonitorKind kind, IReadOnlyList<string> conditions, out List<Condition> parsed)
    {
        var errors = new List<string>();
        parsed = [];
        var effective = EffectiveConditions(kind, conditions);
        for (var i = 0; i < effective.Count; i++)
        {
            var text = effective[i] ?? "";
            if (!ConditionParser.TryParse(text, out var condition, out var error))
            {
                errors.Add($"conditions[{i}]: {error}");
                continue;
            }
            var unavailable = condition.PlaceholderOperands.FirstOrDefault(p => !Placeholders.IsAvailable(p.Kind, kind));
            if (unavailable is not null)
            {
                errors.Add($"conditions[{i}]: \"{text}\": [{Placeholders.NameOf(unavailable.Kind)}] is not available for {WireNames.Of(kind)} monitors at position {unavailable.Index + 1}");
                continue;
            }
            parsed.Add(condition);
        }
        return errors;
    }

    private static string? TargetError(MonitorKind kind, string target) => kind switch
    {
        MonitorKind.Http => Targets.ReadUrl(target, out _),
        MonitorKind.Tcp => Targets.ReadHostPort(target, null, out _, out _),
        MonitorKind.Tls => Targets.ReadHostPort(target, 443, out _, out _),
        MonitorKind.Dns => Targets.ReadDns(target, out _, out _),
        _ => null,
    };

    private static string TargetShape(MonitorKind kind) => kind switch
    {
        MonitorKind.Http => "a URL such as https://example.com/health",
        MonitorKind.Dns => "a host name such as example.com, optionally @nameserver[:port]",
        _ => "host:port such as example.com:443",
    };
}
