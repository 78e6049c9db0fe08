using System.Net.Sockets;
using System.Text;

namespace Lifeline.Checks.Tcp;

/// <summary>
/// Connects to host:port and, when asked, sends a line and reads the reply line. Records the DNS
/// and connect times, and the wait for the reply as first-byte time. Never throws, except when
/// <c>cancellationToken</c> itself is cancelled.
/// </summary>
public sealed class TcpProbe(TcpProbeOptions options, TimeProvider time)
{
    public async Task<Observation> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var trace = new ProbeTrace(time);
        string? reply = null;
        var truncated = false;
        try
        {
            using var socket = await TcpConnector.ConnectAsync(options.Host, options.Port, trace, options.Address, linked.Token);
            if (options.Send is { } line)
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                (reply, truncated) = await ConverseAsync(stream, line, trace, linked.Token);
            }
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = trace.Connected && options.Send is not null
                ? $"no reply within {Conditions.DurationText.Format(options.Timeout)}"
                : ProbeErrors.TimedOut(options.Timeout);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = ProbeErrors.Describe(ex);
        }
        return trace.ToObservation(o => o with { Body = reply, BodyTruncated = truncated });
    }

    private async Task<(string Reply, bool Truncated)> ConverseAsync(NetworkStream stream, string line, ProbeTrace trace, CancellationToken ct)
    {
        var payload = line.EndsWith('\n') ? line : line + "\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(payload), ct);
        var sentAt = trace.Now();
        var buffer = new byte[options.ReplyLimit];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                break;
            }
            if (filled == 0)
            {
                trace.Phases = trace.Phases with { FirstByte = trace.Since(sentAt) };
            }
            filled += read;
            if (Array.IndexOf(buffer, (byte)'\n', filled - read, read) >= 0)
            {
                break;
            }
        }
        var text = Encoding.UTF8.GetString(buffer, 0, filled);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var reply = (newline >= 0 ? text[..newline] : text).TrimEnd('\r');
        return (reply, newline < 0 && filled == buffer.Length);
    }
}
