using System.Text.RegularExpressions;

namespace Lifeline.Checks.Conditions;

/// <summary>How two sides of a condition are compared.</summary>
public enum ConditionOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    NotContains,
    Matches,
    NotMatches,
}

/// <summary>
/// One parsed condition such as <c>[STATUS] == 200</c>. A condition without an operator (for
/// example <c>has([BODY].data)</c>) must be a true-or-false value and holds when it is true.
/// Parse with <see cref="ConditionParser"/>; evaluate with <see cref="ConditionEvaluator"/>.
/// </summary>
public sealed class Condition
{
    internal Condition(string text, Operand left, ConditionOperator? op, Operand? right, Regex? pattern)
    {
        Text = text;
        Left = left;
        Operator = op;
        Right = right;
        Pattern = pattern;
    }

    /// <summary>The condition as written.</summary>
    public string Text { get; }

    public ConditionOperator? Operator { get; }

    internal Operand Left { get; }
    internal Operand? Right { get; }

    /// <summary>For <c>matches</c> and <c>pat(...)</c>: the compiled pattern (with a match time limit).</summary>
    internal Regex? Pattern { get; }

    /// <summary>Whether the left side is the <c>pat(...)</c>, so the right side is the value matched.</summary>
    internal bool PatternOnLeft => Left is FunctionOperand { Name: "pat" };

    /// <summary>Every placeholder the condition reads.</summary>
    public IEnumerable<PlaceholderKind> Placeholders =>
        Left.Placeholders().Concat(Right?.Placeholders() ?? []).Select(p => p.Kind).Distinct();

    internal IEnumerable<PlaceholderOperand> PlaceholderOperands =>
        Left.Placeholders().Concat(Right?.Placeholders() ?? []);

    public override string ToString() => Text;

    internal static string Symbol(ConditionOperator op) => op switch
    {
        ConditionOperator.Equal => "==",
        ConditionOperator.NotEqual => "!=",
        ConditionOperator.Less => "<",
        ConditionOperator.LessOrEqual => "<=",
        ConditionOperator.Greater => ">",
        ConditionOperator.GreaterOrEqual => ">=",
        ConditionOperator.Contains => "contains",
        ConditionOperator.NotContains => "not contains",
        ConditionOperator.Matches => "matches",
        ConditionOperator.NotMatches => "not matches",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}

/// <summary>One side of a condition, or an argument of a function.</summary>
internal abstract record Operand(int Index, string Source)
{
    public abstract IEnumerable<PlaceholderOperand> Placeholders();
}

/// <summary><c>[BODY].data[0].name</c>, <c>[HEADER].content-type</c>, <c>[STATUS]</c>.</summary>
internal sealed record PlaceholderOperand(PlaceholderKind Kind, JsonPath? Path, string? HeaderName, int Index, string Source)
    : Operand(Index, Source)
{
    public ValueType Type => Conditions.Placeholders.TypeOf(Kind, Path is not null);

    public override IEnumerable<PlaceholderOperand> Placeholders() => [this];
}

internal sealed record LiteralOperand(ConditionValue Value, int Index, string Source) : Operand(Index, Source)
{
    public override IEnumerable<PlaceholderOperand> Placeholders() => [];
}

/// <summary><c>any(...)</c>, <c>all(...)</c>, <c>len(...)</c>, <c>has(...)</c> or <c>pat(...)</c> (its one argument the pattern text).</summary>
internal sealed record FunctionOperand(string Name, IReadOnlyList<Operand> Arguments, int Index, string Source)
    : Operand(Index, Source)
{
    public override IEnumerable<PlaceholderOperand> Placeholders() => Arguments.SelectMany(a => a.Placeholders());
}
