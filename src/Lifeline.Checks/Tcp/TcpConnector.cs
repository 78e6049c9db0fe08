using System.Net;
using System.Net.Sockets;

namespace Lifeline.Checks.Tcp;

/// <summary>Resolves a host and opens a TCP connection, timing both phases into a <see cref="ProbeTrace"/>.</summary>
internal static class TcpConnector
{
    /// <summary>Connects to <paramref name="host"/>, or to <paramref name="pinned"/> without resolving when one is given (an allAddresses check).</summary>
    public static async Task<Socket> ConnectAsync(string host, int port, ProbeTrace trace, IPAddress? pinned, CancellationToken ct)
    {
        if (pinned is not null)
        {
            trace.Addresses.Add(pinned);
        }
        var addresses = pinned is null ? await ResolveAsync(host, trace, ct) : [pinned];
        var started = trace.Now();
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                var remote = new IPEndPoint(address, port);
                await socket.ConnectAsync(remote, ct);
                trace.Phases = trace.Phases with { Connect = trace.Since(started) };
                trace.Remote = remote;
                trace.Connected = true;
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        trace.Phases = trace.Phases with { Connect = trace.Since(started) };
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, ProbeTrace trace, CancellationToken ct)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var ip))
        {
            trace.Addresses.Add(ip);
            return [ip];
        }
        var started = trace.Now();
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(host, ct);
            trace.Addresses.AddRange(addresses);
            return addresses;
        }
        finally
        {
            trace.Phases = trace.Phases with { Dns = trace.Since(started) };
        }
    }
}
