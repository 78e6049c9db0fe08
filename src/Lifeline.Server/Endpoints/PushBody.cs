using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lifeline.Server.Endpoints;

/// <summary>How reading a push request's body ended.</summary>
internal enum BodyOutcome
{
    /// <summary>Read to its end, within the limit.</summary>
    Whole,
    /// <summary>Longer than the limit: nothing of it may be used.</summary>
    TooLarge,
    /// <summary>The client stopped sending before the end: nothing of it may be used.</summary>
    Incomplete,
}

/// <summary>
/// A push request's body, read to its end but never more than a limit, of which the first
/// <c>keep</c> bytes are held. A signal is recorded only from a body read whole (issue #14: a
/// half-sent body once counted as a good ping).
/// </summary>
internal readonly record struct PushBody(BodyOutcome Outcome, byte[] Bytes, int Length, bool Cut)
{
    private const int FirstBuffer = 4096;

    public static bool IsPresent(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>Reads the body to its end, keeping its first <paramref name="keep"/> bytes; a body over <paramref name="max"/> bytes is not read further.</summary>
    public static async Task<PushBody> ReadAsync(HttpContext context, int keep, int max, CancellationToken ct)
    {
        var request = context.Request;
        if (request.ContentLength > max)
        {
            return new PushBody(BodyOutcome.TooLarge, [], 0, false);
        }
        // Kestrel then enforces the same bound on chunked bodies as it reads.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && (size.MaxRequestBodySize is null || size.MaxRequestBodySize > max))
        {
            size.MaxRequestBodySize = max;
        }
        var buffer = new byte[(int)Math.Min(keep, request.ContentLength ?? FirstBuffer)];
        var length = 0;
        var total = 0L;
        var cut = false;
        byte[]? sink = null;
        try
        {
            while (total != request.ContentLength)
            {
                if (length == buffer.Length && buffer.Length < keep && request.ContentLength is null)
                {
                    Array.Resize(ref buffer, (int)Math.Min(keep, Math.Max(FirstBuffer, buffer.Length * 2L)));
                }
                int n;
                if (length < buffer.Length)
                {
                    n = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                    length += n;
                }
                else
                {
                    // Past what is kept: read on (to know the body is whole and within the limit) into scratch space.
                    sink ??= ArrayPool<byte>.Shared.Rent(16 * 1024);
                    n = await request.Body.ReadAsync(sink, ct);
                    cut |= n > 0;
                }
                if (n == 0)
                {
                    break;
                }
                total += n;
                if (total > max)
                {
                    return new PushBody(BodyOutcome.TooLarge, [], 0, false);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new PushBody(BodyOutcome.TooLarge, [], 0, false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return new PushBody(BodyOutcome.Incomplete, [], 0, false);
        }
        finally
        {
            if (sink is not null)
            {
                ArrayPool<byte>.Shared.Return(sink);
            }
        }
        // Kestrel reports a Content-Length not reached as an error; a stream that just ends is refused the same way.
        return request.ContentLength is { } declared && total < declared
            ? new PushBody(BodyOutcome.Incomplete, [], 0, false)
            : new PushBody(BodyOutcome.Whole, buffer, length, cut);
    }

    public ReadOnlyMemory<byte> Kept => Bytes.AsMemory(0, Length);

    /// <summary>The kept bytes as text (invalid UTF-8 becomes U+FFFD); when the body was cut, without a character the cut split. Null when empty.</summary>
    public string? Text()
    {
        var length = Cut ? CompleteUtf8Length(Bytes.AsSpan(0, Length)) : Length;
        return length == 0 ? null : Encoding.UTF8.GetString(Bytes, 0, length);
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence that the cut left incomplete.</summary>
    private static int CompleteUtf8Length(ReadOnlySpan<byte> bytes)
    {
        // Find the start of the last sequence (at most 3 continuation bytes back) and check it is whole.
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }
            var needed = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }
}
