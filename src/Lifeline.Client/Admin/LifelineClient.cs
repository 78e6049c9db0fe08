using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Lifeline.Client.Push;

namespace Lifeline.Client.Admin;

/// <summary>Thrown when the admin API answers with an error status.</summary>
public sealed class LifelineApiException : Exception
{
    /// <summary>Creates the exception for an answer with <paramref name="statusCode"/>.</summary>
    public LifelineApiException(int statusCode, string error)
        : base($"Lifeline API answered {statusCode}: {error}")
    {
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public LifelineApiException() : this(0, "unknown error")
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public LifelineApiException(string message) : base(message) => Error = message;

    /// <summary>Creates the exception with a plain message and a cause.</summary>
    public LifelineApiException(string message, Exception innerException) : base(message, innerException) => Error = message;

    /// <summary>The HTTP status (401 bad key, 403 read-only key, 404 unknown id, 400 bad field).</summary>
    public int StatusCode { get; }

    /// <summary>The server's <c>error</c> text.</summary>
    public string Error { get; } = "";
}

/// <summary>
/// A small typed client for the admin API (<c>/api/v1</c>) with a bearer API key.
/// </summary>
/// <example><code>
/// using var client = new LifelineClient(new Uri("https://lifeline.example.com"), apiKey);
/// var monitor = await client.CreateMonitorAsync(new NewMonitor { Name = "nightly backup", Period = 86400, Grace = 3600 });
/// Console.WriteLine(monitor.PingUrl);
/// </code></example>
public sealed class LifelineClient : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _api;

    /// <summary>A client with its own HTTP connection pool.</summary>
    /// <param name="serverUrl">The server's base URL, for example <c>https://lifeline.example.com</c>.</param>
    /// <param name="apiKey">An admin API key.</param>
    public LifelineClient(Uri serverUrl, string apiKey)
        : this(CreateHttp(), serverUrl, apiKey, ownsHttp: true)
    {
    }

    /// <summary>A client sending through <paramref name="http"/> (for example from IHttpClientFactory), which it does not dispose.</summary>
    public LifelineClient(HttpClient http, Uri serverUrl, string apiKey)
        : this(http, serverUrl, apiKey, ownsHttp: false)
    {
    }

    private LifelineClient(HttpClient http, Uri serverUrl, string apiKey, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(serverUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _http = http;
        _ownsHttp = ownsHttp;
        _api = new Uri(new Uri(serverUrl.ToString().TrimEnd('/') + "/"), "api/v1/");
        ApiKey = apiKey;
    }

    private string ApiKey { get; }

    /// <summary>Creates a monitor (<c>POST /api/v1/monitors</c>) and returns it with its id and push URLs.</summary>
    public Task<MonitorInfo> CreateMonitorAsync(NewMonitor monitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return SendAsync<MonitorInfo>(HttpMethod.Post, "monitors", JsonContent.Create(monitor, options: Json), cancellationToken);
    }

    /// <summary>One monitor by id (<c>GET /api/v1/monitors/{id}</c>).</summary>
    public Task<MonitorInfo> GetMonitorAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return SendAsync<MonitorInfo>(HttpMethod.Get, "monitors/" + Uri.EscapeDataString(id), null, cancellationToken);
    }

    /// <summary>One page of monitors (<c>GET /api/v1/monitors</c>).</summary>
    public Task<MonitorPage> ListMonitorsAsync(MonitorQuery? query = null, CancellationToken cancellationToken = default)
    {
        var parameters = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Append(parameters.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
        Add("status", query?.Status);
        Add("tag", query?.Tag);
        Add("q", query?.Q);
        Add("limit", query?.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("cursor", query?.Cursor);
        return SendAsync<MonitorPage>(HttpMethod.Get, "monitors" + parameters, null, cancellationToken);
    }

    /// <summary>Every monitor, following the pages.</summary>
    public async IAsyncEnumerable<MonitorInfo> ListAllMonitorsAsync(MonitorQuery? query = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = await ListMonitorsAsync(query, cancellationToken);
        while (true)
        {
            foreach (var monitor in page.Items)
            {
                yield return monitor;
            }
            if (string.IsNullOrEmpty(page.NextCursor))
            {
                yield break;
            }
            page = await ListMonitorsAsync((query ?? new MonitorQuery()) with { Cursor = page.NextCursor }, cancellationToken);
        }
    }

    /// <summary>Pauses a monitor (<c>POST /api/v1/monitors/{id}/pause</c>) and returns it.</summary>
    public Task<MonitorInfo> PauseMonitorAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return SendAsync<MonitorInfo>(HttpMethod.Post, "monitors/" + Uri.EscapeDataString(id) + "/pause", null, cancellationToken);
    }

    /// <summary>Every channel (<c>GET /api/v1/channels</c>), secrets masked.</summary>
    public Task<IReadOnlyList<ChannelInfo>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ChannelInfo>>(HttpMethod.Get, "channels", null, cancellationToken);

    /// <summary>Creates a channel (<c>POST /api/v1/channels</c>) and returns it with its id.</summary>
    public Task<ChannelInfo> CreateChannelAsync(NewChannel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var body = new JsonObject { ["kind"] = channel.Kind, ["name"] = channel.Name };
        foreach (var (key, value) in channel.Settings)
        {
            body[key] = value?.DeepClone();
        }
        return SendAsync<ChannelInfo>(HttpMethod.Post, "channels", JsonContent.Create(body, options: Json), cancellationToken);
    }

    /// <summary>The server's state and every monitor briefly (<c>GET /api/v1/status</c>).</summary>
    public Task<ServerStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ServerStatus>(HttpMethod.Get, "status", null, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_api, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var code = (int)response.StatusCode;
            var summary = PushSender.Summarize(code, body);
            var prefix = $"HTTP {code}: ";
            throw new LifelineApiException(code, summary.StartsWith(prefix, StringComparison.Ordinal) ? summary[prefix.Length..] : summary);
        }
        var value = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        return value ?? throw new LifelineApiException((int)response.StatusCode, "empty answer");
    }

    private static HttpClient CreateHttp()
    {
        var http = LifelineHttp.Create();
        http.Timeout = TimeSpan.FromSeconds(30);
        return http;
    }
}
