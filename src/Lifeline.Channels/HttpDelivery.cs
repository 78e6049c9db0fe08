using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Lifeline.Channels;

/// <summary>Turns an HTTP answer into success or a <see cref="DeliveryException"/> the dispatcher understands.</summary>
internal static class HttpDelivery
{
    public static async Task EnsureDeliveredAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        if (body.Length > 300)
        {
            body = body[..300];
        }
        throw new DeliveryException(
            $"HTTP {status} {response.ReasonPhrase}: {body}".TrimEnd(' ', ':'),
            permanent: DeliveryException.IsPermanentStatus(status),
            retryAfter: RetryAfter(response.Headers.RetryAfter, now),
            statusCode: status);
    }

    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>Sends and maps network failures to transient delivery failures.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new DeliveryException($"could not reach {request.RequestUri?.Host}: {ex.Message}", permanent: false, inner: ex);
        }
    }

    public static string Status(HttpStatusCode code) => ((int)code).ToString(CultureInfo.InvariantCulture);
}
