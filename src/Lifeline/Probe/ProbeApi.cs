using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Lifeline.Core.Probes;

namespace Lifeline.Cli.Probe;

/// <summary>How a call to the server ended.</summary>
internal enum CallResult
{
    /// <summary>2xx with the answer.</summary>
    Ok,

    /// <summary>304: the assignments are unchanged.</summary>
    NotModified,

    /// <summary>401: the token or credential is not (or no longer) good.</summary>
    Refused,

    /// <summary>Another 4xx: asking again will not help.</summary>
    Rejected,

    /// <summary>No connection, no answer in time, 408, 429 or 5xx: try again later.</summary>
    Unavailable,
}

/// <summary>A call's outcome: the answer when there is one, and a line for the log otherwise.</summary>
internal sealed record CallAnswer<T>(CallResult Result, T? Value, string Message);

/// <summary>The probe's side of the protocol in <see cref="ProbeWire"/>: one method per endpoint, no retries (the loops own those).</summary>
internal sealed class ProbeApi(HttpClient http, Uri server, TimeProvider time)
{
    private readonly Uri _base = new(server.ToString().TrimEnd('/') + "/");

    /// <summary>The credential sent as <c>Authorization: Probe ...</c> once enrolled.</summary>
    public string? Credential { get; set; }

    public Task<CallAnswer<EnrollAnswer>> EnrollAsync(EnrollRequest request, TimeSpan timeout, CancellationToken ct) =>
        CallAsync(HttpMethod.Post, "api/v1/probe/enroll", JsonContent.Create(request, ProbeJson.Default.EnrollRequest), ProbeJson.Default.EnrollAnswer, timeout, ct);

    public Task<CallAnswer<Assignments>> PollAsync(string version, TimeSpan wait, TimeSpan timeout, CancellationToken ct) =>
        CallAsync(HttpMethod.Get, $"api/v1/probe/assignments?version={Uri.EscapeDataString(version)}&wait={(int)wait.TotalSeconds}", null, ProbeJson.Default.Assignments, wait + timeout, ct);

    public Task<CallAnswer<BatchAnswer>> SendAsync(ResultBatch batch, TimeSpan timeout, CancellationToken ct) =>
        CallAsync(HttpMethod.Post, "api/v1/probe/results", JsonContent.Create(batch, ProbeJson.Default.ResultBatch), ProbeJson.Default.BatchAnswer, timeout, ct);

    private async Task<CallAnswer<T>> CallAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> answerType, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        if (Credential is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Probe", credential);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var code = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                return new CallAnswer<T>(CallResult.NotModified, default, "HTTP 304");
            }
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    var value = await response.Content.ReadFromJsonAsync(answerType, linked.Token);
                    return value is null
                        ? new CallAnswer<T>(CallResult.Unavailable, default, $"HTTP {code} with an empty answer")
                        : new CallAnswer<T>(CallResult.Ok, value, $"HTTP {code}");
                }
                catch (JsonException ex)
                {
                    // Something else answered (a proxy's page): not the server we want, so treat it as unreachable.
                    return new CallAnswer<T>(CallResult.Unavailable, default, $"HTTP {code} with an answer that is not the probe protocol: {ex.Message}");
                }
            }
            var text = Summary(code, await response.Content.ReadAsStringAsync(linked.Token));
            return code switch
            {
                401 or 403 => new CallAnswer<T>(CallResult.Refused, default, text),
                408 or 429 or >= 500 => new CallAnswer<T>(CallResult.Unavailable, default, text),
                _ => new CallAnswer<T>(CallResult.Rejected, default, text),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new CallAnswer<T>(CallResult.Unavailable, default, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            var inner = ex.InnerException?.Message;
            return new CallAnswer<T>(CallResult.Unavailable, default, string.IsNullOrEmpty(inner) || ex.Message.Contains(inner, StringComparison.Ordinal) ? ex.Message : $"{ex.Message} ({inner})");
        }
    }

    private static string Summary(int code, string body)
    {
        var text = body.Trim().ReplaceLineEndings(" ");
        if (text.StartsWith('<'))
        {
            text = "";
        }
        if (text.Length > 300)
        {
            text = text[..300] + "...";
        }
        return text.Length == 0 ? $"HTTP {code} {(HttpStatusCode)code}" : $"HTTP {code}: {text}";
    }
}
