using System.Text;
using System.Text.RegularExpressions;

namespace Lifeline.Channels.Tests.Support;

/// <summary>Just enough MIME reading to check what the email channel sent.</summary>
public sealed partial class MimeReader
{
    private MimeReader(Dictionary<string, string> headers, string body)
    {
        Headers = headers;
        Body = body;
    }

    /// <summary>Unfolded header values by lower-case name.</summary>
    public Dictionary<string, string> Headers { get; }

    public string Body { get; }

    public static MimeReader Parse(string message)
    {
        var split = message.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = message[..split].Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new MimeReader(headers, message[(split + 4)..]);
    }

    /// <summary>The parts of a multipart body, in order.</summary>
    public IReadOnlyList<MimeReader> Parts()
    {
        var boundary = BoundaryPattern().Match(Headers["Content-Type"]).Groups[1].Value;
        var pieces = Body.Split("--" + boundary);
        // Before the first boundary is the preamble; after the closing one ("--") the epilogue.
        return [.. pieces.Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).Select(p => Parse(p.TrimStart('\r', '\n')))];
    }

    /// <summary>The body with its transfer encoding undone.</summary>
    public string DecodedBody()
    {
        var body = Body.EndsWith("\r\n", StringComparison.Ordinal) ? Body[..^2] : Body;
        return Headers.GetValueOrDefault("Content-Transfer-Encoding") == "quoted-printable" ? DecodeQuotedPrintable(body) : body;
    }

    public static string DecodeQuotedPrintable(string text)
    {
        var joined = text.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>();
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=')
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)joined[i]);
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>Undoes RFC 2047 B-encoded words (and the folding space between them).</summary>
    public static string DecodeWords(string value)
    {
        var joined = value.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("?= =?", "?==?", StringComparison.Ordinal);
        var bytes = new List<byte>();
        var rest = EncodedWordPattern().Replace(joined, m =>
        {
            bytes.AddRange(Convert.FromBase64String(m.Groups[1].Value));
            return "";
        });
        return rest.Length == 0 ? Encoding.UTF8.GetString([.. bytes]) : value;
    }

    [GeneratedRegex("boundary=\"([^\"]+)\"")]
    private static partial Regex BoundaryPattern();

    [GeneratedRegex(@"=\?utf-8\?B\?([^?]*)\?=", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedWordPattern();
}
