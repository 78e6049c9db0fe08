using System.Globalization;
using System.Text.Json;

namespace Lifeline.Checks.Conditions;

/// <summary>
/// A path into a JSON body as written after <c>[BODY]</c>: <c>.status</c>, <c>.data[0].name</c>,
/// <c>[2].id</c>. Property names match exactly first, then ignoring case.
/// </summary>
internal sealed class JsonPath
{
    private readonly IReadOnlyList<object> _steps;

    private JsonPath(string text, IReadOnlyList<object> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    /// <summary>Parses a path; on failure throws with the index of the fault inside <paramref name="text"/>.</summary>
    public static JsonPath Parse(string text)
    {
        var steps = new List<object>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] is not ('.' or '['))
                {
                    i++;
                }
                if (i == start)
                {
                    throw new ConditionSyntaxException(start, "expected a property name after '.'");
                }
                steps.Add(text[start..i]);
            }
            else if (text[i] == '[')
            {
                var start = ++i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
                if (i == start || i >= text.Length || text[i] != ']')
                {
                    throw new ConditionSyntaxException(start, "expected an array index such as [0]");
                }
                if (!int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    throw new ConditionSyntaxException(start, $"array index too large (at most {int.MaxValue})");
                }
                steps.Add(index);
                i++;
            }
            else
            {
                throw new ConditionSyntaxException(i, "expected '.' or '[' in the JSON path");
            }
        }
        return new JsonPath(text, steps);
    }

    public bool TryFind(JsonElement root, out JsonElement found)
    {
        found = root;
        foreach (var step in _steps)
        {
            if (step is int index)
            {
                if (found.ValueKind != JsonValueKind.Array || index >= found.GetArrayLength())
                {
                    return false;
                }
                found = found[index];
            }
            else if (found.ValueKind != JsonValueKind.Object || !TryProperty(found, (string)step, out found))
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }

    /// <summary>A JSON value as a condition value: numbers, text and booleans as such, the rest as raw JSON.</summary>
    public static ConditionValue ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => new ConditionValue(ValueKind.Number, element.GetDouble(), element.GetRawText()),
        JsonValueKind.String => ConditionValue.Of(element.GetString()!),
        JsonValueKind.True => ConditionValue.Of(true),
        JsonValueKind.False => ConditionValue.Of(false),
        JsonValueKind.Null => ConditionValue.Of("null"),
        _ => ConditionValue.Of(element.GetRawText()),
    };
}
