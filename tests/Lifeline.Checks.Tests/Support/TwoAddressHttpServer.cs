using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lifeline.Checks.Tests.Support;

/// <summary>
/// One real HTTP server (Kestrel) listening on the same port of 127.0.0.1 and 127.0.0.2, as one
/// service behind two addresses. Each address answers its own status, and every request is noted
/// with the address it came in on and its Host header.
/// </summary>
internal sealed class TwoAddressHttpServer : IAsyncDisposable
{
    public static readonly IPAddress First = IPAddress.Parse("127.0.0.1");
    public static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(IPAddress Address, string Host)> _seen = new();

    private TwoAddressHttpServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The status each address answers; 200 when not set.</summary>
    public ConcurrentDictionary<IPAddress, int> Status { get; } = new();

    /// <summary>Each request: the local address it reached and its Host header.</summary>
    public IReadOnlyList<(IPAddress Address, string Host)> Seen => [.. _seen];

    public static async Task<TwoAddressHttpServer> StartAsync()
    {
        var port = FreePortOnBoth();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(First, port);
            kestrel.Listen(Second, port);
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TwoAddressHttpServer(app, port);
        app.Run(context =>
        {
            var local = context.Connection.LocalIpAddress!.MapToIPv4();
            server._seen.Enqueue((local, context.Request.Host.Value ?? ""));
            context.Response.StatusCode = server.Status.GetValueOrDefault(local, 200);
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return server;
    }

    private static int FreePortOnBoth()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(First, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
