using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lifeline.Testing;

/// <summary>One request a <see cref="SilentServer"/> read: its raw head and body, and the clock's time when it arrived.</summary>
public sealed record HeldRequest(DateTimeOffset At, string Text)
{
    /// <summary>A header's value (names are case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        var head = Text.Split("\r\n\r\n", 2)[0];
        return head.Split("\r\n").Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
    }
}

/// <summary>
/// A real TCP listener on 127.0.0.1 that accepts HTTP requests, reads them, and never answers: a
/// receiver that hangs. Each connection stays open until the client gives up and closes it.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<HeldRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly SemaphoreSlim _changed = new(0);
    private Task _accepting = Task.CompletedTask;
    private int _open;

    private SilentServer(TimeProvider clock) => _clock = clock;

    public static SilentServer Start(TimeProvider clock)
    {
        var server = new SilentServer(clock);
        server._listener.Start();
        server._accepting = server.AcceptAsync();
        return server;
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    /// <summary>Requests read so far, in arrival order.</summary>
    public IReadOnlyList<HeldRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Connections the client has not closed yet.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Waits (wall time, for the network) until <paramref name="done"/> holds.</summary>
    public async Task WaitUntilAsync(Func<SilentServer, bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!done(this))
        {
            try
            {
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the silent receiver did not reach the expected state (requests {Requests.Count}, open {Open})");
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_gate)
            {
                _connections.Add(HoldAsync(client));
            }
        }
    }

    private async Task HoldAsync(TcpClient client)
    {
        Interlocked.Increment(ref _open);
        _changed.Release();
        var text = new StringBuilder();
        var recorded = false;
        var buffer = new byte[4096];
        try
        {
            var stream = client.GetStream();
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (!recorded && IsComplete(text.ToString()))
                {
                    recorded = true;
                    lock (_gate)
                    {
                        _requests.Add(new HeldRequest(_clock.GetUtcNow(), text.ToString()));
                    }
                    _changed.Release();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client aborted the connection, or the server is stopping.
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _open);
            _changed.Release();
        }
    }

    private static bool IsComplete(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var length = new HeldRequest(default, text).Header("content-length");
        return length is null || Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
        _changed.Dispose();
    }
}
