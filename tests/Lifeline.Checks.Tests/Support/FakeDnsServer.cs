using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lifeline.Checks.Tests.Support;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1, over UDP and over TCP on the same port. It knows
/// the records it is given, answers NXDOMAIN for other names, SERVFAIL for <c>servfail.test</c>,
/// and stays silent for <c>silent.test</c>. Owner names in answers use compression pointers, one of
/// them into the CNAME's own data, as real servers do.
/// <para>
/// Over UDP an answer longer than the asker can take (512 bytes, or the size its EDNS0 OPT record
/// offers, capped at <see cref="MaxUdpPayload"/>) is cut to the records that fit and marked
/// truncated (TC); over TCP every record is sent. With <c>tcp: false</c> the TCP port is held but
/// refuses connections, like a server behind a firewall that only lets UDP through.
/// </para>
/// </summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private const int OptType = 41;

    private readonly UdpClient _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, List<(int Type, byte[] Data)>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<byte[], byte[]>> _manglers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<int?> _ednsSizes = new();
    private readonly ConcurrentBag<Socket> _connections = [];
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _queries;
    private int _tcpQueries;

    public FakeDnsServer(bool tcp = true)
    {
        (_udp, _tcp) = BindBoth();
        if (tcp)
        {
            _tcp.Listen();
        }
        _udpLoop = ServeUdpAsync();
        _tcpLoop = tcp ? AcceptAsync() : Task.CompletedTask;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary>Queries received over UDP.</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>Queries received over TCP.</summary>
    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>For every query (UDP and TCP) in arrival order: the UDP payload size its EDNS0 OPT record offered, or null without one.</summary>
    public IReadOnlyList<int?> EdnsSizes => [.. _ednsSizes];

    /// <summary>The most a UDP answer may carry even when the asker offers more; default 1232 bytes, as most servers use since DNS flag day 2020.</summary>
    public int MaxUdpPayload { get; init; } = 1232;

    public FakeDnsServer Address(string name, string address)
    {
        var ip = IPAddress.Parse(address);
        return Record(name, ip.AddressFamily == AddressFamily.InterNetwork ? 1 : 28, ip.GetAddressBytes());
    }

    public FakeDnsServer Alias(string name, string target)
    {
        _aliases[name] = target;
        return this;
    }

    /// <summary>Any record, its data already in wire format (see <see cref="Name"/> for names inside it).</summary>
    public FakeDnsServer Record(string name, int type, byte[] data)
    {
        if (!_records.TryGetValue(name, out var list))
        {
            _records[name] = list = [];
        }
        list.Add((type, data));
        return this;
    }

    /// <summary>Answers about <paramref name="name"/> are passed through <paramref name="mangle"/> before they are sent: a broken server.</summary>
    public FakeDnsServer Mangle(string name, Func<byte[], byte[]> mangle)
    {
        _manglers[name] = mangle;
        return this;
    }

    /// <summary>A name in wire format, uncompressed.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    // UDP and TCP on one port: take a free UDP port, then try the same number for TCP.
    private static (UdpClient, Socket) BindBoth()
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(udp.Client.LocalEndPoint!);
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    private async Task ServeUdpAsync()
    {
        while (true)
        {
            UdpReceiveResult query;
            try
            {
                query = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref _queries);
            if (Answer(query.Buffer, udp: true) is { } answer)
            {
                await _udp.SendAsync(answer, query.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private async Task AcceptAsync()
    {
        var served = new List<Task>();
        try
        {
            while (true)
            {
                var connection = await _tcp.AcceptAsync(_stop.Token);
                _connections.Add(connection);
                served.Add(ServeTcpAsync(connection));
            }
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
        await Task.WhenAll(served);
    }

    // RFC 1035 §4.2.2: each message on a TCP connection is preceded by its length in two bytes.
    private async Task ServeTcpAsync(Socket connection)
    {
        try
        {
            var length = new byte[2];
            while (true)
            {
                if (!await ReadExactlyAsync(connection, length))
                {
                    return;
                }
                var query = new byte[(length[0] << 8) | length[1]];
                if (!await ReadExactlyAsync(connection, query))
                {
                    return;
                }
                Interlocked.Increment(ref _tcpQueries);
                if (Answer(query, udp: false) is { } answer)
                {
                    await connection.SendAsync(new byte[] { (byte)(answer.Length >> 8), (byte)answer.Length }.Concat(answer).ToArray(), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<bool> ReadExactlyAsync(Socket connection, byte[] buffer)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var got = await connection.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, _stop.Token);
            if (got == 0)
            {
                return false;
            }
            read += got;
        }
        return true;
    }

    private byte[]? Answer(byte[] query, bool udp)
    {
        var offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
            offset += 1 + query[offset];
        }
        var questionEnd = offset + 5;
        var name = string.Join('.', labels);
        var type = (query[offset + 1] << 8) | query[offset + 2];
        var offered = EdnsSize(query, questionEnd);
        _ednsSizes.Enqueue(offered);
        if (name == "silent.test")
        {
            return null;
        }
        var rcode = name == "servfail.test" ? 2 : _records.ContainsKey(name) || _aliases.ContainsKey(name) ? 0 : 3;
        var message = new List<byte>(query[..questionEnd]);
        var limit = udp ? Math.Min(Math.Max(offered ?? 512, 512), MaxUdpPayload) : int.MaxValue;
        var opt = offered is null ? [] : Opt();
        var answers = 0;
        var truncated = false;
        var owner = new byte[] { 0xC0, 12 };
        if (_aliases.TryGetValue(name, out var target))
        {
            var data = Name(target);
            Record(message, owner, 5, data);
            owner = [0xC0, (byte)(message.Count - data.Length)];
            answers++;
            name = target;
        }
        foreach (var record in _records.GetValueOrDefault(name) ?? [])
        {
            if (record.Type != type)
            {
                continue;
            }
            var before = message.Count;
            Record(message, owner, record.Type, record.Data);
            if (message.Count + opt.Length > limit)
            {
                message.RemoveRange(before, message.Count - before);
                truncated = true;
                break;
            }
            answers++;
        }
        message.AddRange(opt);
        message[2] = (byte)(0x81 | (truncated ? 0x02 : 0) | (query[2] & 0x01)); // QR, TC, RD copied
        message[3] = (byte)(0x80 | rcode); // RA + RCODE
        message[6] = (byte)(answers >> 8);
        message[7] = (byte)answers;
        message[8] = 0;
        message[9] = 0;
        message[10] = 0;
        message[11] = (byte)(opt.Length > 0 ? 1 : 0);
        return _manglers.TryGetValue(string.Join('.', labels), out var mangle) ? mangle([.. message]) : [.. message];
    }

    /// <summary>The UDP size of the query's OPT record (RFC 6891 §6.1.2: its CLASS field), or null without one.</summary>
    private static int? EdnsSize(byte[] query, int offset)
    {
        var additional = (query[10] << 8) | query[11];
        for (var i = 0; i < additional && offset < query.Length; i++)
        {
            while (query[offset] != 0 && (query[offset] & 0xC0) != 0xC0)
            {
                offset += 1 + query[offset];
            }
            offset += (query[offset] & 0xC0) == 0xC0 ? 2 : 1;
            var type = (query[offset] << 8) | query[offset + 1];
            var size = (query[offset + 2] << 8) | query[offset + 3];
            if (type == OptType)
            {
                return size;
            }
            offset += 10 + ((query[offset + 8] << 8) | query[offset + 9]);
        }
        return null;
    }

    private byte[] Opt() => [0, 0, OptType, (byte)(MaxUdpPayload >> 8), (byte)MaxUdpPayload, 0, 0, 0, 0, 0, 0];

    private static void Record(List<byte> message, byte[] owner, int type, byte[] data)
    {
        message.AddRange(owner);
        message.AddRange([(byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0x0E, 0x10]); // class IN, TTL 3600
        message.AddRange([(byte)(data.Length >> 8), (byte)data.Length]);
        message.AddRange(data);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _udpLoop;
        await _tcpLoop;
        _tcp.Dispose();
        _udp.Dispose();
        _stop.Dispose();
    }
}
