using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels;

/// <summary>Turns an HTTP answer into success or a <see cref="DeliveryException"/> the dispatcher understands.</summary>
internal static class HttpDelivery
{
    /// <param name="retryAfterInBody">Reads a wait from the error body (Discord's and Telegram's <c>retry_after</c>); preferred over the header.</param>
    /// <param name="retryAnyFailure">Every non-2xx answer is worth retrying (webhooks: the receiver is the user's own, and may be mid-deploy).</param>
    public static async Task EnsureDeliveredAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken ct, Func<string, TimeSpan?>? retryAfterInBody = null, bool retryAnyFailure = false)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        var retryAfter = (status == 429 ? retryAfterInBody?.Invoke(body) : null) ?? RetryAfter(response.Headers.RetryAfter, now);
        if (body.Length > 300)
        {
            body = body[..300];
        }
        if (status is >= 300 and < 400)
        {
            // Redirects are not followed: a POST would turn into a GET, and a notice could be steered elsewhere.
            throw new DeliveryException($"HTTP {status} {response.ReasonPhrase}: the receiver moved; set the channel's URL to its new address",
                permanent: !retryAnyFailure, statusCode: status);
        }
        throw new DeliveryException(
            $"HTTP {status} {response.ReasonPhrase}: {body}".TrimEnd(' ', ':'),
            permanent: !retryAnyFailure && DeliveryException.IsPermanentStatus(status),
            retryAfter: retryAfter,
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

    /// <summary>POSTs JSON and throws unless the answer is a success.</summary>
    public static async Task PostJsonAsync(HttpClient client, Uri url, JsonNode body, DateTimeOffset now, CancellationToken ct,
        Action<HttpRequestHeaders>? headers = null, Func<string, TimeSpan?>? retryAfterInBody = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        headers?.Invoke(request.Headers);
        using var response = await SendAsync(client, request, ct);
        await EnsureDeliveredAsync(response, now, ct, retryAfterInBody);
    }

    /// <summary>The URL setting, or a permanent failure when it is missing or not absolute.</summary>
    public static Uri RequiredUrl(JsonObject settings, string field)
    {
        var text = ChannelSettings.Required(settings, field);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new DeliveryException($"channel setting '{field}' is not an absolute URL", permanent: true);
    }

    /// <summary>A top-level <c>retry_after</c> number (seconds) in a JSON body, as Discord sends it.</summary>
    public static TimeSpan? RetryAfterField(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject answer && answer["retry_after"] is JsonValue value
                && value.TryGetValue<double>(out var seconds) && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
