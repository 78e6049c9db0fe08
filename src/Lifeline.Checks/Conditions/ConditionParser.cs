using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using Lifeline.Checks.Dns;

namespace Lifeline.Checks.Conditions;

/// <summary>
/// Parses the condition language: <c>&lt;operand&gt; [&lt;operator&gt; &lt;operand&gt;]</c>, where an operand is a
/// placeholder (<c>[STATUS]</c>, <c>[BODY].a[0].b</c>, <c>[HEADER].name</c>...), a literal (number,
/// duration such as <c>48h</c>, <c>true</c>/<c>false</c>, "quoted" or bare text) or a function
/// (<c>any(a, b)</c>, <c>all([IP])</c>, <c>len(x)</c>, <c>has(x)</c>, <c>pat(*.example.com)</c>). Operators: <c>== != &lt; &lt;= &gt; &gt;=</c>,
/// <c>contains</c>, <c>not contains</c>, <c>matches</c>, <c>not matches</c>.
/// Types are checked here, so a condition that parses can always be evaluated.
/// </summary>
public static class ConditionParser
{
    /// <summary>Time limit for one regular-expression match.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How deep functions may nest while parsing. No function takes another one (see
    /// <see cref="CheckFunction"/>), so one level inside a function is read only to report that;
    /// anything deeper is refused before it can exhaust the stack.
    /// </summary>
    private const int MaxFunctionDepth = 2;

    private enum TokenKind
    {
        Placeholder,
        Word,
        Quoted,
        Operator,
        Function,
        /// <summary><c>pat(...)</c>: its text is read as written, so brackets and quotes belong to the pattern.</summary>
        Pattern,
        Open,
        Close,
        Comma,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, int Index, string Value = "", ConditionOperator Op = default);

    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out Condition? condition,
        [NotNullWhen(false)] out ConditionError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            condition = Parse(text);
            error = null;
            return true;
        }
        catch (ConditionSyntaxException ex)
        {
            condition = null;
            error = new ConditionError(text, Math.Min(ex.Index, text.Length) + 1, ex.Message);
            return false;
        }
    }

    private static Condition Parse(string text)
    {
        var tokens = Tokenize(text);
        if (tokens[0].Kind == TokenKind.End)
        {
            throw new ConditionSyntaxException(tokens[0].Index, "the condition is empty");
        }
        var position = 0;
        var left = ParseOperand(text, tokens, ref position, 0);
        if (tokens[position].Kind == TokenKind.End)
        {
            if (TypeOf(left) != ValueType.Bool)
            {
                throw new ConditionSyntaxException(tokens[position].Index, "expected an operator such as == after " + left.Source);
            }
            return new Condition(text, left, null, null, null);
        }
        var opToken = tokens[position++];
        if (opToken.Kind != TokenKind.Operator)
        {
            throw new ConditionSyntaxException(opToken.Index, $"expected an operator such as == but found '{opToken.Text}'");
        }
        if (tokens[position].Kind == TokenKind.End)
        {
            throw new ConditionSyntaxException(tokens[position].Index, $"expected a value after '{opToken.Text}'");
        }
        var right = ParseOperand(text, tokens, ref position, 0);
        if (tokens[position].Kind != TokenKind.End)
        {
            throw new ConditionSyntaxException(tokens[position].Index, $"unexpected '{tokens[position].Text}' after the condition");
        }
        var (checkedLeft, checkedRight, pattern) = Check(left, opToken.Op, right, opToken.Index);
        return new Condition(text, checkedLeft, opToken.Op, checkedRight, pattern);
    }

    private static Operand ParseOperand(string text, List<Token> tokens, ref int position, int depth)
    {
        var token = tokens[position++];
        switch (token.Kind)
        {
            case TokenKind.Placeholder:
                return ParsePlaceholder(token);
            case TokenKind.Word:
                return new LiteralOperand(ConditionValue.FromWord(token.Text), token.Index, token.Text);
            case TokenKind.Quoted:
                return new LiteralOperand(ConditionValue.Of(token.Value) with { Quoted = true }, token.Index, token.Text);
            case TokenKind.Pattern:
                return new FunctionOperand("pat", [new LiteralOperand(ConditionValue.Of(token.Value) with { Quoted = true }, token.Index + 4, token.Value)], token.Index, token.Text);
            case TokenKind.Function:
                if (depth >= MaxFunctionDepth)
                {
                    throw new ConditionSyntaxException(token.Index, $"functions are nested too deeply: {token.Text}(...) takes values and placeholders, not functions");
                }
                position++; // the '(' the tokenizer saw right after the name
                var arguments = new List<Operand>();
                if (tokens[position].Kind == TokenKind.Close)
                {
                    throw new ConditionSyntaxException(tokens[position].Index, $"{token.Text}() needs an argument");
                }
                while (true)
                {
                    arguments.Add(ParseOperand(text, tokens, ref position, depth + 1));
                    var next = tokens[position++];
                    if (next.Kind == TokenKind.Close)
                    {
                        var source = text[token.Index..(next.Index + 1)];
                        return CheckFunction(new FunctionOperand(token.Text, arguments, token.Index, source));
                    }
                    if (next.Kind != TokenKind.Comma)
                    {
                        throw new ConditionSyntaxException(next.Index, $"expected ',' or ')' in {token.Text}(...)");
                    }
                }
            case TokenKind.End:
                throw new ConditionSyntaxException(token.Index, "expected a value but the condition ends");
            default:
                throw new ConditionSyntaxException(token.Index, $"expected a value but found '{token.Text}'");
        }
    }

    private static PlaceholderOperand ParsePlaceholder(Token token)
    {
        var close = token.Text.IndexOf(']', StringComparison.Ordinal);
        var name = token.Text[1..close];
        if (!Placeholders.TryParse(name, out var kind))
        {
            throw new ConditionSyntaxException(token.Index, $"unknown placeholder [{name}]");
        }
        var rest = token.Text[(close + 1)..];
        var restIndex = token.Index + close + 1;
        switch (kind)
        {
            case PlaceholderKind.Body when rest.Length > 0:
                try
                {
                    return new PlaceholderOperand(kind, JsonPath.Parse(rest), null, token.Index, token.Text);
                }
                catch (ConditionSyntaxException ex)
                {
                    throw new ConditionSyntaxException(restIndex + ex.Index, ex.Message);
                }
            case PlaceholderKind.Header:
                if (rest.Length < 2 || rest[0] != '.' || !rest[1..].All(IsHeaderChar))
                {
                    throw new ConditionSyntaxException(restIndex, "[HEADER] needs a header name, as in [HEADER].content-type");
                }
                return new PlaceholderOperand(kind, null, rest[1..], token.Index, token.Text);
            default:
                if (rest.Length > 0)
                {
                    throw new ConditionSyntaxException(restIndex, $"[{name}] takes no path");
                }
                return new PlaceholderOperand(kind, null, null, token.Index, token.Text);
        }
    }

    private static bool IsHeaderChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static FunctionOperand CheckFunction(FunctionOperand function)
    {
        var arguments = function.Arguments;
        switch (function.Name)
        {
            case "pat":
                return function;
            case "any":
                foreach (var argument in arguments.OfType<FunctionOperand>())
                {
                    throw new ConditionSyntaxException(argument.Index, "any(...) takes values and placeholders, not functions");
                }
                return function;
            default:
                if (arguments.Count != 1)
                {
                    throw new ConditionSyntaxException(function.Index, $"{function.Name}(...) takes exactly one placeholder");
                }
                if (arguments[0] is not PlaceholderOperand placeholder)
                {
                    throw new ConditionSyntaxException(arguments[0].Index, $"{function.Name}(...) takes a placeholder such as [BODY].items");
                }
                if (function.Name == "has" && placeholder.Kind is not (PlaceholderKind.Body or PlaceholderKind.Header or PlaceholderKind.Ip))
                {
                    throw new ConditionSyntaxException(placeholder.Index, "has(...) takes [BODY].<path>, [HEADER].<name> or [IP]");
                }
                if (function.Name == "len" && placeholder.Type is not (ValueType.Text or ValueType.Any))
                {
                    throw new ConditionSyntaxException(placeholder.Index, "len(...) takes [BODY], [BODY].<path>, [HEADER].<name> or [IP]");
                }
                return function;
        }
    }

    private static ValueType? TypeOf(Operand operand) => operand switch
    {
        PlaceholderOperand p => p.Type,
        FunctionOperand { Name: "len" } => ValueType.Number,
        FunctionOperand { Name: "has" } => ValueType.Bool,
        FunctionOperand { Name: "all" } f => TypeOf(f.Arguments[0]),
        _ => null,
    };

    /// <summary>Checks that the two sides can be compared and folds literals meant for response codes and health words.</summary>
    private static (Operand Left, Operand Right, Regex? Pattern) Check(Operand left, ConditionOperator op, Operand right, int opIndex)
    {
        if (right is FunctionOperand { Name: "all" })
        {
            throw new ConditionSyntaxException(right.Index, "all(...) goes on the left, as in all([IP]) == 10.0.0.1");
        }
        var leftType = TypeOf(left);
        var rightType = TypeOf(right);
        if (!left.Placeholders().Any() && !right.Placeholders().Any())
        {
            throw new ConditionSyntaxException(left.Index, "one side must be a placeholder such as [STATUS]");
        }
        Regex? pattern = null;
        if (left is FunctionOperand { Name: "pat" } || right is FunctionOperand { Name: "pat" })
        {
            var glob = (FunctionOperand)(left is FunctionOperand { Name: "pat" } ? left : right);
            if (op is not (ConditionOperator.Equal or ConditionOperator.NotEqual))
            {
                throw new ConditionSyntaxException(opIndex, "pat(...) compares only with == or !=");
            }
            if (left is FunctionOperand { Name: "pat" } && right is FunctionOperand { Name: "pat" })
            {
                throw new ConditionSyntaxException(right.Index, "only one side may be a pat(...) pattern");
            }
            var literal = (LiteralOperand)glob.Arguments[0];
            try
            {
                pattern = Glob.ToRegex(literal.Value.Text, MatchTimeout);
            }
            catch (ConditionSyntaxException ex)
            {
                throw new ConditionSyntaxException(literal.Index + ex.Index, ex.Message);
            }
            catch (ArgumentException ex)
            {
                throw new ConditionSyntaxException(literal.Index, "invalid pattern: " + ex.Message);
            }
            return (left, right, pattern);
        }
        if (op is ConditionOperator.Matches or ConditionOperator.NotMatches)
        {
            if (right is not LiteralOperand literal)
            {
                throw new ConditionSyntaxException(right.Index, "matches needs a pattern, as in matches \"^ok\"");
            }
            pattern = CompilePattern(literal);
        }
        var folded = (Left: Fold(left, rightType, op, opIndex), Right: Fold(right, leftType, op, opIndex));
        CheckSide(folded.Left, rightType, op, opIndex);
        CheckSide(folded.Right, leftType, op, opIndex);
        return (folded.Left, folded.Right, pattern);
    }

    private static IEnumerable<LiteralOperand> Literals(Operand operand) => operand switch
    {
        LiteralOperand literal => [literal],
        FunctionOperand { Name: "any" } f => f.Arguments.OfType<LiteralOperand>(),
        _ => [],
    };

    /// <summary>Literals facing <c>[DNS_RCODE]</c> or <c>[HEALTH]</c> become their canonical, case-blind form.</summary>
    private static Operand Fold(Operand operand, ValueType? otherType, ConditionOperator op, int opIndex)
    {
        if (otherType is not (ValueType.Rcode or ValueType.Health))
        {
            return operand;
        }
        if (op is not (ConditionOperator.Equal or ConditionOperator.NotEqual))
        {
            throw new ConditionSyntaxException(opIndex, otherType == ValueType.Rcode
                ? "[DNS_RCODE] compares only with == or !="
                : "[HEALTH] compares only with == or !=");
        }
        LiteralOperand FoldOne(LiteralOperand literal)
        {
            var word = literal.Value.Text;
            if (otherType == ValueType.Rcode)
            {
                if (!DnsRcode.IsKnown(word))
                {
                    throw new ConditionSyntaxException(literal.Index, $"unknown DNS response code '{word}' (known: {string.Join(", ", DnsRcode.All)})");
                }
                return literal with { Value = ConditionValue.Of(word.ToUpperInvariant()) with { IgnoreCase = true } };
            }
            var health = HealthStatus.Normalize(word)
                ?? throw new ConditionSyntaxException(literal.Index, $"unknown health '{word}' (use pass, warn or fail)");
            return literal with { Value = ConditionValue.Of(health) with { IgnoreCase = true } };
        }
        return operand switch
        {
            LiteralOperand literal => FoldOne(literal),
            FunctionOperand { Name: "any" } f => f with
            {
                Arguments = [.. f.Arguments.Select(a => a is LiteralOperand l ? FoldOne(l) : a)],
            },
            _ => operand,
        };
    }

    /// <summary>Checks each literal on one side against the type of the placeholder on the other side.</summary>
    private static void CheckSide(Operand side, ValueType? otherType, ConditionOperator op, int opIndex)
    {
        var ordering = op is ConditionOperator.Less or ConditionOperator.LessOrEqual or ConditionOperator.Greater or ConditionOperator.GreaterOrEqual;
        var textual = op is ConditionOperator.Contains or ConditionOperator.NotContains or ConditionOperator.Matches or ConditionOperator.NotMatches;
        var ownType = TypeOf(side);
        if (ownType is { } type)
        {
            if (ordering && type is ValueType.Bool or ValueType.Rcode or ValueType.Health)
            {
                throw new ConditionSyntaxException(opIndex, $"{side.Source} cannot be compared with '{Condition.Symbol(op)}'");
            }
            if (textual && side.Index < opIndex && type is not (ValueType.Text or ValueType.Any))
            {
                throw new ConditionSyntaxException(opIndex, $"'{Condition.Symbol(op)}' needs text on the left, not {side.Source}");
            }
            return;
        }
        if (otherType is null || textual)
        {
            return;
        }
        foreach (var literal in Literals(side))
        {
            var kind = literal.Value.Kind;
            var fits = otherType switch
            {
                _ when ordering => kind is ValueKind.Number || (kind is ValueKind.Duration && otherType is not ValueType.Number),
                ValueType.Number => kind is ValueKind.Number,
                ValueType.Millis or ValueType.Duration => kind is ValueKind.Number or ValueKind.Duration,
                ValueType.Bool => kind is ValueKind.Bool,
                _ => true,
            };
            if (!fits)
            {
                var wanted = otherType switch
                {
                    _ when ordering && otherType is ValueType.Number => "a number",
                    _ when ordering => "a number or a duration such as 500ms",
                    ValueType.Number => "a number",
                    ValueType.Bool => "true or false",
                    _ => "a number or a duration such as 500ms",
                };
                throw new ConditionSyntaxException(literal.Index, $"expected {wanted} but found '{literal.Source}'");
            }
        }
    }

    private static Regex CompilePattern(LiteralOperand literal)
    {
        try
        {
            var source = literal.Value.Quoted ? literal.Value.Text : literal.Source;
            return new Regex(source, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ConditionSyntaxException(literal.Index, "invalid pattern: " + ex.Message);
        }
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", text.Length));
                return tokens;
            }
            var start = i;
            var c = text[i];
            switch (c)
            {
                case '[':
                    var close = text.IndexOf(']', i);
                    if (close < 0)
                    {
                        throw new ConditionSyntaxException(i, "'[' is not closed");
                    }
                    i = close + 1;
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (',' or ')' or '=' or '!' or '<' or '>'))
                    {
                        i++;
                    }
                    tokens.Add(new Token(TokenKind.Placeholder, text[start..i], start));
                    break;
                case '"' or '\'':
                    var value = ReadQuoted(text, ref i);
                    tokens.Add(new Token(TokenKind.Quoted, text[start..i], start, value));
                    break;
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "(", i++));
                    break;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")", i++));
                    break;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", i++));
                    break;
                case '=' or '!' or '<' or '>':
                    tokens.Add(ReadSymbolOperator(text, ref i));
                    break;
                default:
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '"' or '\'' or '=' or '!' or '<' or '>'))
                    {
                        i++;
                    }
                    var word = text[start..i];
                    if (i < text.Length && text[i] == '(' && word == "pat")
                    {
                        var pattern = ReadPattern(text, ref i);
                        tokens.Add(new Token(TokenKind.Pattern, text[start..i], start, pattern));
                    }
                    else if (i < text.Length && text[i] == '(')
                    {
                        if (word is not ("any" or "all" or "len" or "has"))
                        {
                            throw new ConditionSyntaxException(start, $"unknown function '{word}' (known: any, all, len, has, pat)");
                        }
                        tokens.Add(new Token(TokenKind.Function, word, start));
                        tokens.Add(new Token(TokenKind.Open, "(", i++));
                    }
                    else
                    {
                        tokens.Add(ReadWordOperator(text, word, start, ref i));
                    }
                    break;
            }
        }
    }

    private static Token ReadSymbolOperator(string text, ref int i)
    {
        var start = i;
        var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
        ConditionOperator? op = two switch
        {
            "==" => ConditionOperator.Equal,
            "!=" => ConditionOperator.NotEqual,
            "<=" => ConditionOperator.LessOrEqual,
            ">=" => ConditionOperator.GreaterOrEqual,
            _ => null,
        };
        if (op is { } both)
        {
            i += 2;
            return new Token(TokenKind.Operator, two, start, Op: both);
        }
        switch (text[i])
        {
            case '<':
                i++;
                return new Token(TokenKind.Operator, "<", start, Op: ConditionOperator.Less);
            case '>':
                i++;
                return new Token(TokenKind.Operator, ">", start, Op: ConditionOperator.Greater);
            case '=':
                throw new ConditionSyntaxException(start, "use == to compare");
            default:
                throw new ConditionSyntaxException(start, "use != to compare, or 'not contains'");
        }
    }

    private static Token ReadWordOperator(string text, string word, int start, ref int i)
    {
        switch (word.ToLowerInvariant())
        {
            case "contains":
                return new Token(TokenKind.Operator, word, start, Op: ConditionOperator.Contains);
            case "matches":
                return new Token(TokenKind.Operator, word, start, Op: ConditionOperator.Matches);
            case "not":
                var next = i;
                while (next < text.Length && char.IsWhiteSpace(text[next]))
                {
                    next++;
                }
                var end = next;
                while (end < text.Length && char.IsAsciiLetter(text[end]))
                {
                    end++;
                }
                var second = text[next..end].ToLowerInvariant();
                if (second is not ("contains" or "matches"))
                {
                    throw new ConditionSyntaxException(start, "'not' must be followed by 'contains' or 'matches'");
                }
                i = end;
                return new Token(TokenKind.Operator, text[start..end], start,
                    Op: second == "contains" ? ConditionOperator.NotContains : ConditionOperator.NotMatches);
            default:
                return new Token(TokenKind.Word, word, start);
        }
    }

    /// <summary>
    /// Reads <c>pat(...)</c> from its '(' on: the pattern ends at the first ')' followed by the end
    /// of the condition, a space or a comma, so patterns may hold brackets and parentheses.
    /// </summary>
    private static string ReadPattern(string text, ref int i)
    {
        var open = i;
        for (var close = open + 1; close < text.Length; close++)
        {
            if (text[close] == ')' && (close + 1 == text.Length || char.IsWhiteSpace(text[close + 1]) || text[close + 1] == ','))
            {
                i = close + 1;
                var pattern = text[(open + 1)..close];
                if (pattern.Length == 0)
                {
                    throw new ConditionSyntaxException(open, "pat() needs a pattern, as in pat(*.example.com)");
                }
                return pattern;
            }
        }
        throw new ConditionSyntaxException(open, "the '(' of pat( is not closed");
    }

    private static string ReadQuoted(string text, ref int i)
    {
        var quote = text[i];
        var start = i++;
        var value = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == quote)
            {
                return value.ToString();
            }
            // Only the quote and the backslash itself are escaped, so regular expressions keep
            // their own escapes: "^\d+" means ^\d+.
            if (c == '\\' && i < text.Length && (text[i] == quote || text[i] == '\\'))
            {
                c = text[i++];
            }
            value.Append(c);
        }
        throw new ConditionSyntaxException(start, "the quoted text is not closed");
    }
}
