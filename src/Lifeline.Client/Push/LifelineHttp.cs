using System.Net;

namespace Lifeline.Client.Push;

/// <summary>The HTTP client the library uses when the caller brings none.</summary>
public static class LifelineHttp
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => Create());

    /// <summary>One process-wide client (connections are recycled every few minutes so DNS changes are seen).</summary>
    public static HttpClient Shared => SharedClient.Value;

    /// <summary>A new client with no overall timeout (the sender sets one per attempt) and a Lifeline user agent.</summary>
    public static HttpClient Create(TimeSpan? connectTimeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.All,
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("lifeline-client/" + typeof(LifelineHttp).Assembly.GetName().Version?.ToString(3));
        return client;
    }
}
