using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// The push fields (<c>status</c>, <c>msg</c>, <c>value</c>, <c>ping</c>) a Tianji / Uptime Kuma push
/// body may carry instead of the query: JSON, a URL-encoded form or a multipart form, in UTF-8.
/// Any other body (plain text from a script) carries none and is ignored.
/// </summary>
internal static class PushFields
{
    private static readonly string[] Names = ["status", "msg", "value", "ping"];

    /// <summary>The fields found (null when the body carries none), or what is wrong with the body.</summary>
    public static async Task<(Dictionary<string, string?>? Fields, string? Error)> ParseAsync(string? contentType, PushBody body, CancellationToken ct)
    {
        // An unreadable Content-Type is treated as none: the body is then JSON only if it looks like it.
        var type = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed : null;
        var media = type?.MediaType ?? default;
        var json = media.HasValue && media.Value.Contains("json", StringComparison.OrdinalIgnoreCase);
        var form = StringSegment.Equals(media, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var multipart = StringSegment.Equals(media, "multipart/form-data", StringComparison.OrdinalIgnoreCase);
        var bytes = body.Kept.Span;
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        if (!json && !form && !multipart && FirstNonSpace(bytes) != '{')
        {
            return (null, null);
        }
        var charset = HeaderUtilities.RemoveQuotes(type?.Charset ?? default);
        if (!IsUtf8(charset))
        {
            return (null, $"charset '{charset}' is not supported; send UTF-8");
        }
        if (multipart)
        {
            return await FromMultipartAsync(type!, body, ct);
        }
        // Invalid UTF-8 becomes U+FFFD here, so what follows only ever sees well-formed text.
        var text = Encoding.UTF8.GetString(bytes);
        if (form)
        {
            return (FromForm(text), null);
        }
        return string.IsNullOrWhiteSpace(text) ? (null, null) : FromJson(text);
    }

    private static bool IsUtf8(StringSegment charset) =>
        StringSegment.IsNullOrEmpty(charset)
        || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
        || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
        || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);

    private static int FirstNonSpace(ReadOnlySpan<byte> bytes)
    {
        var at = bytes.IndexOfAnyExcept(" \t\r\n"u8);
        return at < 0 ? -1 : bytes[at];
    }

    private static bool IsField(string name) => Array.Exists(Names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string?> FromForm(string text)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (QueryHelpers.ParseNullableQuery(text) is { } pairs)
        {
            foreach (var (name, value) in pairs)
            {
                if (IsField(name))
                {
                    fields[name] = value.ToString();
                }
            }
        }
        return fields;
    }

    private static async Task<(Dictionary<string, string?>?, string?)> FromMultipartAsync(MediaTypeHeaderValue type, PushBody body, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary);
        if (StringSegment.IsNullOrEmpty(boundary))
        {
            return (null, "a multipart form needs a boundary");
        }
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var reader = new MultipartReader(boundary.ToString(), new MemoryStream(body.Bytes, 0, body.Length, writable: false));
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFormDisposition())
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
                if (IsField(name))
                {
                    // Parts are read as UTF-8 whatever charset they name.
                    using var part = new StreamReader(section.Body, Encoding.UTF8);
                    fields[name] = await part.ReadToEndAsync(ct);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return (null, "the multipart form could not be read");
        }
        return (fields, null);
    }

    private static (Dictionary<string, string?>?, string?) FromJson(string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, $"not valid JSON ({ex.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "a JSON body must be an object");
            }
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!IsField(property.Name))
                {
                    continue;
                }
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => StringOf(property.Value),
                    JsonValueKind.True => "up",
                    JsonValueKind.False => "down",
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
            return (fields, null);
        }
    }

    /// <summary>A JSON string; one whose escapes leave a surrogate unpaired (<c>"\ud800"</c>) gets U+FFFD in its place.</summary>
    private static string StringOf(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return PushParameters.WellFormed(Unescape(element.GetRawText()));
        }
    }

    /// <summary>Decodes a JSON string literal, quotes included, that the parser has already checked.</summary>
    private static string Unescape(string literal)
    {
        var text = new StringBuilder(literal.Length);
        for (var i = 1; i < literal.Length - 1; i++)
        {
            var c = literal[i];
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            c = literal[++i];
            switch (c)
            {
                case 'u':
                    text.Append((char)ushort.Parse(literal.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'b':
                    text.Append('\b');
                    break;
                case 'f':
                    text.Append('\f');
                    break;
                case 'n':
                    text.Append('\n');
                    break;
                case 'r':
                    text.Append('\r');
                    break;
                case 't':
                    text.Append('\t');
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }
}
