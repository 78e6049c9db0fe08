using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Lifeline.Checks.Tcp;

namespace Lifeline.Checks.Http;

/// <summary>
/// Sends one HTTP request, follows redirects itself (to count them), and records the answer and
/// the time of each phase. Every hop opens a fresh connection (no pooling) so the phases are real,
/// and nothing retries: a monitor must see failures. Never throws, except when
/// <c>cancellationToken</c> itself is cancelled.
/// </summary>
public sealed class HttpProbe(HttpProbeOptions options, TimeProvider time)
{
    private const string UserAgent = "Lifeline-Check/1.0";

    public async Task<Observation> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var overall = new ProbeTrace(time);
        var hop = new ProbeTrace(time);
        var phases = new PhaseTimes();
        var url = options.Url;
        var method = new HttpMethod(options.Method.ToUpperInvariant());
        var body = options.Body;
        var redirects = 0;
        HttpAnswer? answer = null;
        try
        {
            while (true)
            {
                hop = new ProbeTrace(time);
                answer = await SendOnceAsync(url, method, body, hop, linked.Token);
                phases = phases.Plus(hop.Phases);
                if (answer.Location is not { } location || !IsRedirect(answer.Status))
                {
                    break;
                }
                if (redirects == options.MaxRedirects)
                {
                    hop.Error = $"too many redirects (more than {options.MaxRedirects})";
                    break;
                }
                redirects++;
                url = new Uri(url, location);
                if (answer.Status == 303 || (answer.Status is 301 or 302 && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                    body = null;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            phases = phases.Plus(hop.Phases);
            hop.Error = ProbeErrors.TimedOut(options.Timeout);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            phases = phases.Plus(hop.Phases);
            hop.Error = Describe(ex, hop);
        }
        var total = overall.ToObservation();
        return hop.ToObservation(o => o with
        {
            ResponseTime = total.ResponseTime,
            Phases = phases,
            StatusCode = answer?.Status,
            Headers = answer?.Headers ?? new Dictionary<string, string>(),
            Body = answer?.Body,
            BodyTruncated = answer?.Truncated ?? false,
            Redirects = redirects,
            FinalUrl = url,
        });
    }

    private static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    private static string Describe(Exception ex, ProbeTrace hop) =>
        hop.Certificates.PolicyErrors is { } errors && errors != SslPolicyErrors.None
            ? $"TLS certificate not valid: {errors}"
            : ProbeErrors.Describe(ex);

    private sealed record HttpAnswer(int Status, Dictionary<string, string> Headers, string Body, bool Truncated, Uri? Location);

    private async Task<HttpAnswer> SendOnceAsync(Uri url, HttpMethod method, string? body, ProbeTrace trace, CancellationToken ct)
    {
        TimingStream? connection = null;
        long readyAt = 0;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, token) =>
            {
                connection = await OpenAsync(url, trace, token);
                readyAt = trace.Now();
                return connection;
            },
        };
        using var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var request = BuildRequest(url, method, body);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }
        var (bytes, truncated) = await ReadCappedAsync(response.Content, ct);
        var doneAt = trace.Now();
        if (connection?.FirstByteAt is { } firstByteAt)
        {
            trace.Phases = trace.Phases with
            {
                FirstByte = time.GetElapsedTime(readyAt, firstByteAt),
                Transfer = time.GetElapsedTime(firstByteAt, doneAt),
            };
        }
        return new HttpAnswer((int)response.StatusCode, headers, Decode(bytes, response.Content.Headers.ContentType), truncated, response.Headers.Location);
    }

    /// <summary>
    /// The handler is given a plain http:// URL even for https targets: TLS is done here, in the
    /// connect callback, so its handshake can be timed and its certificates captured. The Host
    /// header keeps the real authority, so the server sees the same request either way.
    /// </summary>
    private HttpRequestMessage BuildRequest(Uri url, HttpMethod method, string? body)
    {
        var wire = new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.Port }.Uri;
        var request = new HttpRequestMessage(method, wire)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = url.Authority;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, LooksLikeJson(body) ? "application/json" : "text/plain");
        }
        AddHeaders(request, options.Headers);
        return request;
    }

    private async Task<TimingStream> OpenAsync(Uri url, ProbeTrace trace, CancellationToken ct)
    {
        var pinned = string.Equals(url.IdnHost, options.Url.IdnHost, StringComparison.OrdinalIgnoreCase) ? options.Address : null;
        var socket = await TcpConnector.ConnectAsync(url.IdnHost, url.Port, trace, pinned, ct);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (url.Scheme == Uri.UriSchemeHttps)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            var started = trace.Now();
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = url.IdnHost,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    {
                        trace.Certificates.Record(certificate, chain, errors);
                        return !options.ValidateCertificates || errors == SslPolicyErrors.None;
                    },
                }, ct);
            }
            catch
            {
                await tls.DisposeAsync();
                throw;
            }
            finally
            {
                trace.Phases = trace.Phases with { Tls = trace.Since(started) };
            }
            trace.TlsProtocol = tls.SslProtocol.ToString();
            stream = tls;
        }
        return new TimingStream(stream, trace);
    }

    private async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[options.BodyLimit + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        var truncated = filled > options.BodyLimit;
        return (buffer[..Math.Min(filled, options.BodyLimit)], truncated);
    }

    private static string Decode(byte[] bytes, MediaTypeHeaderValue? contentType)
    {
        var encoding = Encoding.UTF8;
        if (contentType?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                encoding = Encoding.UTF8;
            }
        }
        return encoding.GetString(bytes).TrimStart('\uFEFF');
    }

    private static bool LooksLikeJson(string body) => body.TrimStart() is ['{' or '[', ..];

    private static void AddHeaders(HttpRequestMessage request, IReadOnlyDictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.Remove(name);
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (request.Headers.UserAgent.Count == 0)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }
    }
}
