using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lifeline.Checks.Conditions;

/// <summary>
/// The verdict on one condition. <see cref="Text"/> shows the condition with the values seen beside
/// each placeholder, as in <c>[STATUS] (500) == 200</c>; "n/a" when the probe saw nothing there.
/// </summary>
public sealed record ConditionResult(string Condition, bool Ok, string Text);

/// <summary>
/// Evaluates parsed conditions against what a probe saw. A placeholder with several values
/// (<c>[IP]</c>) holds when any value does, or every value with <c>all(...)</c>; <c>any(a, b)</c>
/// on the other side holds when one of its values does. Negated operators (<c>!=</c>,
/// <c>not contains</c>, <c>not matches</c>) hold when no pair of values matches. A placeholder the
/// probe could not fill makes its condition fail.
/// </summary>
public static class ConditionEvaluator
{
    private const int ShownLength = 100;

    public static IReadOnlyList<ConditionResult> EvaluateAll(IEnumerable<Condition> conditions, Observation observation)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        using var context = new Context(observation);
        return [.. conditions.Select(c => Evaluate(c, context))];
    }

    public static ConditionResult Evaluate(Condition condition, Observation observation)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var context = new Context(observation);
        return Evaluate(condition, context);
    }

    private static ConditionResult Evaluate(Condition condition, Context context)
    {
        var left = Side(condition.Left, context);
        if (condition.Operator is not { } op)
        {
            var holds = left.Values.Count > 0 && Quantify(left.All, left.Values, v => v.TryBool(out var b) && b);
            return new ConditionResult(condition.Text, holds, left.Display);
        }
        var right = Side(condition.Right!, context);
        var timedOut = false;
        bool Positive(ConditionValue l, ConditionValue r)
        {
            try
            {
                if (condition.Pattern is { } glob && op is ConditionOperator.Equal or ConditionOperator.NotEqual)
                {
                    return glob.IsMatch(condition.PatternOnLeft ? r.Text : l.Text);
                }
                return Compare(l, r, op, condition.Pattern);
            }
            catch (RegexMatchTimeoutException)
            {
                timedOut = true;
                return false;
            }
        }
        bool ok;
        if (left.Values.Count == 0 || right.Values.Count == 0)
        {
            ok = false;
        }
        else if (op is ConditionOperator.NotEqual or ConditionOperator.NotContains or ConditionOperator.NotMatches)
        {
            ok = !left.Values.Any(l => right.Values.Any(r => Positive(l, r)));
        }
        else
        {
            ok = Quantify(left.All, left.Values, l => Quantify(right.All, right.Values, r => Positive(l, r)));
        }
        var text = $"{left.Display} {Condition.Symbol(op)} {right.Display}";
        if (timedOut)
        {
            text += " (pattern timed out)";
            ok = false;
        }
        return new ConditionResult(condition.Text, ok, text);
    }

    private static bool Quantify(bool all, IReadOnlyList<ConditionValue> values, Func<ConditionValue, bool> test) =>
        all ? values.All(test) : values.Any(test);

    private static bool Compare(ConditionValue left, ConditionValue right, ConditionOperator op, Regex? pattern)
    {
        var ignoreCase = left.IgnoreCase || right.IgnoreCase;
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        switch (op)
        {
            case ConditionOperator.Equal or ConditionOperator.NotEqual:
                if (left.TryNumber(out var a) && right.TryNumber(out var b))
                {
                    return a.Equals(b);
                }
                if (left.TryBool(out var x) && right.TryBool(out var y))
                {
                    return x == y;
                }
                if (!left.Quoted && !right.Quoted && IPAddress.TryParse(left.Text, out var ipLeft) && IPAddress.TryParse(right.Text, out var ipRight))
                {
                    return ipLeft.Equals(ipRight);
                }
                return string.Equals(left.Text, right.Text, comparison);
            case ConditionOperator.Contains or ConditionOperator.NotContains:
                return left.Text.Contains(right.Text, comparison);
            case ConditionOperator.Matches or ConditionOperator.NotMatches:
                return pattern!.IsMatch(left.Text);
            default:
                if (!left.TryNumber(out var l) || !right.TryNumber(out var r))
                {
                    return false;
                }
                return op switch
                {
                    ConditionOperator.Less => l < r,
                    ConditionOperator.LessOrEqual => l <= r,
                    ConditionOperator.Greater => l > r,
                    _ => l >= r,
                };
        }
    }

    private sealed record Evaluated(IReadOnlyList<ConditionValue> Values, bool All, string Display);

    private static Evaluated Side(Operand operand, Context context)
    {
        switch (operand)
        {
            case LiteralOperand literal:
                return new Evaluated([literal.Value], false, literal.Source);
            case PlaceholderOperand placeholder:
                var values = Read(placeholder, context);
                return new Evaluated(values, false, Show(placeholder.Source, values));
            case FunctionOperand { Name: "any" } any:
                var sides = any.Arguments.Select(a => Side(a, context)).ToList();
                return new Evaluated([.. sides.SelectMany(s => s.Values)], false, $"any({string.Join(", ", sides.Select(s => s.Display))})");
            case FunctionOperand { Name: "pat" } pat:
                return new Evaluated([((LiteralOperand)pat.Arguments[0]).Value], false, pat.Source);
            case FunctionOperand function:
                var target = (PlaceholderOperand)function.Arguments[0];
                IReadOnlyList<ConditionValue> result = function.Name switch
                {
                    "all" => Read(target, context),
                    "len" => Length(target, context),
                    _ => [ConditionValue.Of(Has(target, context))],
                };
                return new Evaluated(result, function.Name == "all", Show(function.Source, result));
            default:
                throw new ArgumentOutOfRangeException(nameof(operand));
        }
    }

    private static string Show(string source, IReadOnlyList<ConditionValue> values)
    {
        if (values.Count == 0)
        {
            return $"{source} (n/a)";
        }
        var shown = string.Join(", ", values.Select(v => v.Text));
        shown = shown.ReplaceLineEndings(" ");
        if (shown.Length > ShownLength)
        {
            shown = shown[..ShownLength] + "…";
        }
        return $"{source} ({shown})";
    }

    private static IReadOnlyList<ConditionValue> Read(PlaceholderOperand placeholder, Context context)
    {
        var seen = context.Observation;
        static IReadOnlyList<ConditionValue> Millis(TimeSpan? span) => span is { } s ? [ConditionValue.OfMillis(s)] : [];
        switch (placeholder.Kind)
        {
            case PlaceholderKind.Status:
                return seen.StatusCode is { } status ? [ConditionValue.Of(status)] : [];
            case PlaceholderKind.Body when placeholder.Path is { } path:
                return context.Find(path) is { } element ? [JsonPath.ToValue(element)] : [];
            case PlaceholderKind.Body when seen.IsDns:
                // Each answer on its own, as Gatus' bare answer: [BODY] == 93.184.216.34 holds when any answer is that.
                return seen.DnsRcode is null ? [] : seen.DnsAnswers.Count == 0 ? [ConditionValue.Of("")] : [.. seen.DnsAnswers.Select(a => ConditionValue.Of(a.Value))];
            case PlaceholderKind.Body:
                return seen.Body is { } body ? [ConditionValue.Of(body)] : [];
            case PlaceholderKind.Header:
                return context.Header(placeholder.HeaderName!) is { } header ? [ConditionValue.Of(header)] : [];
            case PlaceholderKind.ResponseTime:
                return Millis(seen.ResponseTime);
            case PlaceholderKind.DnsTime:
                return Millis(seen.Phases.Dns);
            case PlaceholderKind.ConnectTime:
                return Millis(seen.Phases.Connect);
            case PlaceholderKind.TlsTime:
                return Millis(seen.Phases.Tls);
            case PlaceholderKind.FirstByteTime:
                return Millis(seen.Phases.FirstByte);
            case PlaceholderKind.TransferTime:
                return Millis(seen.Phases.Transfer);
            case PlaceholderKind.Connected:
                return [ConditionValue.Of(seen.Connected)];
            case PlaceholderKind.Ip:
                return [.. seen.Addresses.Select(a => ConditionValue.Of(a.ToString()))];
            case PlaceholderKind.DnsRcode:
                return seen.DnsRcode is { } rcode ? [ConditionValue.Of(rcode) with { IgnoreCase = true }] : [];
            case PlaceholderKind.CertificateExpiration:
                return seen.EarliestCertificateExpiry is { } expiry ? [ConditionValue.OfDuration(expiry - seen.ObservedAt)] : [];
            case PlaceholderKind.CertificateValid:
                return seen.TlsPolicyErrors is { } errors ? [ConditionValue.Of(errors == System.Net.Security.SslPolicyErrors.None)] : [];
            case PlaceholderKind.DomainExpiration:
                return seen.DomainExpiresAt is { } domainExpiry ? [ConditionValue.OfDuration(domainExpiry - seen.ObservedAt)] : [];
            case PlaceholderKind.Health:
                return HealthStatus.Read(seen.Body) is { } health ? [ConditionValue.Of(health) with { IgnoreCase = true }] : [];
            default:
                throw new ArgumentOutOfRangeException(nameof(placeholder));
        }
    }

    private static IReadOnlyList<ConditionValue> Length(PlaceholderOperand placeholder, Context context)
    {
        if (placeholder.Kind == PlaceholderKind.Ip)
        {
            return [ConditionValue.Of(context.Observation.Addresses.Count)];
        }
        if (placeholder.Path is { } path)
        {
            if (context.Find(path) is not { } element)
            {
                return [];
            }
            var length = element.ValueKind switch
            {
                JsonValueKind.Array => element.GetArrayLength(),
                JsonValueKind.Object => element.EnumerateObject().Count(),
                JsonValueKind.String => element.GetString()!.Length,
                _ => element.GetRawText().Length,
            };
            return [ConditionValue.Of(length)];
        }
        if (placeholder.Kind == PlaceholderKind.Body && !context.Observation.IsDns && context.Root() is { ValueKind: JsonValueKind.Array } array)
        {
            return [ConditionValue.Of(array.GetArrayLength())];
        }
        return [.. Read(placeholder, context).Select(v => ConditionValue.Of(v.Text.Length))];
    }

    private static bool Has(PlaceholderOperand placeholder, Context context) => placeholder switch
    {
        { Kind: PlaceholderKind.Ip } => context.Observation.Addresses.Count > 0,
        { Path: { } path } => context.Find(path) is not null,
        _ => Read(placeholder, context).Count > 0,
    };

    /// <summary>Holds the body parsed once for all conditions of a check.</summary>
    private sealed class Context(Observation observation) : IDisposable
    {
        private JsonDocument? _document;
        private bool _parsed;

        public Observation Observation { get; } = observation;

        public JsonElement? Find(JsonPath path) =>
            Root() is { } root && path.TryFind(root, out var found) ? found : null;

        /// <summary>The body as JSON; null when it is not JSON.</summary>
        public JsonElement? Root()
        {
            if (!_parsed)
            {
                _parsed = true;
                try
                {
                    _document = Observation.Body is { } body ? JsonDocument.Parse(body) : null;
                }
                catch (JsonException)
                {
                    _document = null;
                }
            }
            return _document?.RootElement;
        }

        public string? Header(string name)
        {
            foreach (var (key, value) in Observation.Headers)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
            return null;
        }

        public void Dispose() => _document?.Dispose();
    }
}
