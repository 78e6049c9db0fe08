using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lifeline.Checks.Tests.Support;

/// <summary>
/// A TCP server on 127.0.0.1. Each connection gets <see cref="Reply"/> applied to the first line
/// it sends; a null reply keeps the connection open and silent (a hung service).
/// </summary>
internal sealed class TcpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string?> _reply;
    private int _accepted;

    /// <param name="reply">The answer to the first line; null keeps the connection silent.</param>
    /// <param name="bind">Where to listen; default 127.0.0.1 on a free port.</param>
    public TcpTestServer(Func<string, string?>? reply = null, IPEndPoint? bind = null)
    {
        _listener = new TcpListener(bind ?? new IPEndPoint(IPAddress.Loopback, 0));
        _reply = reply ?? (_ => null);
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task AcceptAsync()
    {
        var open = new List<TcpClient>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                open.Add(client);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
            open.ForEach(c => c.Dispose());
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            var line = await reader.ReadLineAsync(_stop.Token);
            if (line is not null && _reply(line) is { } answer)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(answer + "\n"), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The probe hung up or the test ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
