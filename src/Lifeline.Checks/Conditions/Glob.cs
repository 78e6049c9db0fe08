using System.Text;
using System.Text.RegularExpressions;

namespace Lifeline.Checks.Conditions;

/// <summary>
/// Gatus' <c>pat(...)</c> patterns, matched against the whole value, case-sensitively: <c>*</c> is
/// any run of characters, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c> and <c>[^a-z]</c>
/// character classes, and <c>\</c> takes the next character as written.
/// </summary>
internal static class Glob
{
    /// <summary>The pattern as an anchored regular expression; throws with the index of a malformed class.</summary>
    public static Regex ToRegex(string glob, TimeSpan matchTimeout)
    {
        var regex = new StringBuilder(@"\A");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '\\' when i + 1 < glob.Length:
                    regex.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                case '[':
                    i = AppendClass(glob, i, regex);
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append(@"\z");
        return new Regex(regex.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeout);
    }

    /// <summary>Appends the class starting at <paramref name="open"/>; returns the index of its ']'.</summary>
    private static int AppendClass(string glob, int open, StringBuilder regex)
    {
        var i = open + 1;
        regex.Append('[');
        if (i < glob.Length && glob[i] == '^')
        {
            regex.Append('^');
            i++;
        }
        var members = 0;
        for (; i < glob.Length && (glob[i] != ']' || members == 0); i++)
        {
            var c = glob[i];
            if (c == '\\' && i + 1 < glob.Length)
            {
                c = glob[++i];
            }
            if (c == '-' && members > 0 && i + 1 < glob.Length && glob[i + 1] != ']')
            {
                regex.Append('-');
                continue;
            }
            regex.Append(c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString());
            members++;
        }
        if (i >= glob.Length)
        {
            throw new ConditionSyntaxException(open, "the '[' of a pattern class is not closed");
        }
        regex.Append(']');
        return i;
    }
}
