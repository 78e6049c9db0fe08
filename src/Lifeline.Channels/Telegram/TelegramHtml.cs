using System.Text;

namespace Lifeline.Channels.Telegram;

/// <summary>Telegram's HTML parse mode: escaping, and cutting or splitting without breaking tags or entities.</summary>
public static class TelegramHtml
{
    /// <summary>Most characters in one Telegram message [4,096].</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Escapes the characters that Telegram's HTML mode reserves (and quotes, for attributes).</summary>
    public static string Escape(string? text) =>
        string.IsNullOrEmpty(text) ? "" : text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>
    /// Cuts HTML to at most <paramref name="max"/> characters: never inside a tag, an entity or a
    /// surrogate pair; ends with an ellipsis and closes the tags left open.
    /// </summary>
    public static string Fit(string html, int max = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(html);
        if (html.Length <= max)
        {
            return html;
        }
        var result = new StringBuilder(max);
        var open = new Stack<string>();
        var closingLength = 0;
        var i = 0;
        while (i < html.Length)
        {
            var length = TokenLength(html, i);
            var token = html.AsSpan(i, length);
            var (opens, closes) = TagName(token);
            var closingAfter = closingLength + (opens is null ? 0 : opens.Length + 3) - (closes is null ? 0 : closes.Length + 3);
            // One character stays free for the ellipsis.
            if (result.Length + length + closingAfter + 1 > max)
            {
                break;
            }
            result.Append(token);
            if (opens is not null)
            {
                open.Push(opens);
            }
            else if (closes is not null && open.Count > 0 && open.Peek() == closes)
            {
                open.Pop();
            }
            closingLength = closingAfter;
            i += length;
        }
        result.Append('\u2026');
        while (open.Count > 0)
        {
            result.Append("</").Append(open.Pop()).Append('>');
        }
        return result.ToString();
    }

    /// <summary>
    /// Packs lines into as few messages as fit, each at most <paramref name="max"/> characters,
    /// breaking only between lines; a single line too long for a message is cut with <see cref="Fit"/>.
    /// </summary>
    public static IReadOnlyList<string> Split(IEnumerable<string> lines, int max = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var messages = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = Fit(raw, max);
            var needed = current.Length == 0 ? line.Length : current.Length + 1 + line.Length;
            if (needed > max && current.Length > 0)
            {
                messages.Add(current.ToString().TrimEnd('\n'));
                current.Clear();
            }
            if (current.Length > 0)
            {
                current.Append('\n');
            }
            current.Append(line);
        }
        var last = current.ToString().Trim('\n');
        if (last.Length > 0)
        {
            messages.Add(last);
        }
        return messages;
    }

    private static int TokenLength(string html, int start)
    {
        var c = html[start];
        if (c is '<' or '&')
        {
            var end = html.IndexOf(c == '<' ? '>' : ';', start + 1);
            // A stray '&' or '<' (already invalid for Telegram) counts as one character.
            if (end > start && (c == '<' || end - start <= 10))
            {
                return end - start + 1;
            }
        }
        return char.IsHighSurrogate(c) && start + 1 < html.Length && char.IsLowSurrogate(html[start + 1]) ? 2 : 1;
    }

    private static (string? Opens, string? Closes) TagName(ReadOnlySpan<char> token)
    {
        if (token.Length < 3 || token[0] != '<' || token[^1] != '>')
        {
            return (null, null);
        }
        var closing = token[1] == '/';
        var inner = token[(closing ? 2 : 1)..^1];
        var end = inner.IndexOfAny(' ', '/');
        var name = (end < 0 ? inner : inner[..end]).ToString().ToLowerInvariant();
        if (name.Length == 0 || token[^2] == '/')
        {
            return (null, null);
        }
        return closing ? (null, name) : (name, null);
    }
}
