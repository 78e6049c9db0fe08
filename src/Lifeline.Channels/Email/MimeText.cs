using System.Globalization;
using System.Text;

namespace Lifeline.Channels.Email;

/// <summary>The encodings a plain RFC 5322 / MIME message needs: quoted-printable bodies and encoded-word headers.</summary>
internal static class MimeText
{
    private const int MaxLine = 76;

    /// <summary>UTF-8 quoted-printable with CRLF line breaks and lines of at most 76 characters.</summary>
    public static string QuotedPrintable(string text)
    {
        var output = new StringBuilder(text.Length + (text.Length / 8));
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            if (l > 0)
            {
                output.Append("\r\n");
            }
            var bytes = Encoding.UTF8.GetBytes(lines[l]);
            var lineLength = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                var last = i == bytes.Length - 1;
                // Trailing spaces and tabs would be stripped in transit, so they are encoded.
                var literal = (b is >= 33 and <= 126 && b != '=') || (b is (byte)' ' or (byte)'\t' && !last);
                var piece = literal ? ((char)b).ToString() : "=" + b.ToString("X2", CultureInfo.InvariantCulture);
                // Room is kept for the '=' of a soft break.
                if (lineLength + piece.Length > MaxLine - 1)
                {
                    output.Append("=\r\n");
                    lineLength = 0;
                }
                output.Append(piece);
                lineLength += piece.Length;
            }
        }
        return output.ToString();
    }

    /// <summary>
    /// A header value safe to write: control characters (CR and LF above all, which would let a
    /// monitor name add headers) become spaces; non-ASCII text becomes folded UTF-8 encoded-words.
    /// </summary>
    public static string HeaderText(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return clean.All(char.IsAscii) ? clean : EncodedWords(clean);
    }

    /// <summary>RFC 2047 <c>=?utf-8?B?...?=</c> words of at most 75 characters, folded with CRLF and a space; runes are never split.</summary>
    public static string EncodedWords(string text)
    {
        var words = new List<string>();
        var chunk = new List<byte>(45);
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(buffer);
            // 45 bytes make 60 base64 characters; with "=?utf-8?B?" and "?=" that is 72.
            if (chunk.Count + count > 45)
            {
                words.Add(Word(chunk));
                chunk.Clear();
            }
            for (var i = 0; i < count; i++)
            {
                chunk.Add(buffer[i]);
            }
        }
        if (chunk.Count > 0)
        {
            words.Add(Word(chunk));
        }
        return string.Join("\r\n ", words);

        static string Word(List<byte> bytes) => "=?utf-8?B?" + Convert.ToBase64String(bytes.ToArray()) + "?=";
    }

    /// <summary>An address header item: <c>"Name" &lt;a@b&gt;</c>, an encoded-word name, or the bare address.</summary>
    public static string Mailbox(System.Net.Mail.MailAddress address)
    {
        if (string.IsNullOrWhiteSpace(address.DisplayName))
        {
            return $"<{address.Address}>";
        }
        var name = HeaderText(address.DisplayName);
        if (name.StartsWith("=?", StringComparison.Ordinal))
        {
            return $"{name} <{address.Address}>";
        }
        var quoted = name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"\"{quoted}\" <{address.Address}>";
    }

    /// <summary>RFC 5322 date, e.g. <c>Mon, 05 Jan 2026 12:00:00 +0000</c>.</summary>
    public static string Date(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
}
