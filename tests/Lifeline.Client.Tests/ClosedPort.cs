using System.Net;
using System.Net.Sockets;

namespace Lifeline.Client.Tests;

/// <summary>A port on 127.0.0.1 that nothing listens on (bound for a moment, then released).</summary>
internal static class ClosedPort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Polls a condition for a few seconds.</summary>
