using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeline.Testing;

/// <summary>One request as the <see cref="RecordingServer"/> received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>What the <see cref="RecordingServer"/> answers.</summary>
public sealed record Reply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "application/json");

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, random port) that records every request and answers
/// through <see cref="Responder"/>; stands in for webhook receivers, chat APIs and other targets.
/// </summary>
public sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private RecordingServer(WebApplication app) => _app = app;

    /// <summary>Decides the answer to each request; default 200 with an empty JSON object.</summary>
    public Func<RecordedRequest, Reply> Responder { get; set; } = _ => new Reply(200, "{}");

    public Uri BaseUri { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The port it listens on.</summary>
    public int Port => BaseUri.Port;

    /// <param name="listen">Where to listen: loopback by default; <c>http://0.0.0.0:0</c> for other hosts (network namespaces) too.</param>
    public static async Task<RecordingServer> StartAsync(string listen = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(listen);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived in total.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (_requests.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"expected {count} requests, got {_requests.Count}");
            }
        }
        return Requests;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", headers, body);
        Reply reply;
        try
        {
            reply = Responder(request);
        }
        catch (Exception ex)
        {
            reply = new Reply(500, ex.Message, ContentType: "text/plain");
        }
        _requests.Enqueue(request);
        _arrived.Release();
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        await context.Response.WriteAsync(reply.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
