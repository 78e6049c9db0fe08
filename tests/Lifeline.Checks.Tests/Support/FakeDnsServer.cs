using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lifeline.Checks.Tests.Support;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1 over UDP. It knows A, AAAA and CNAME records,
/// answers NXDOMAIN for other names, SERVFAIL for <c>servfail.test</c>, and stays silent for
/// <c>silent.test</c>. Owner names in answers use compression pointers, one of them into the
/// CNAME's own data, as real servers do.
/// </summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _loop;
    private int _queries;

    public FakeDnsServer() => _loop = ServeAsync();

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    public int Queries => Volatile.Read(ref _queries);

    public FakeDnsServer Address(string name, string address)
    {
        if (!_addresses.TryGetValue(name, out var list))
        {
            _addresses[name] = list = [];
        }
        list.Add(IPAddress.Parse(address));
        return this;
    }

    public FakeDnsServer Alias(string name, string target)
    {
        _aliases[name] = target;
        return this;
    }

    private async Task ServeAsync()
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
            if (Answer(query.Buffer) is { } answer)
            {
                await _udp.SendAsync(answer, query.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private byte[]? Answer(byte[] query)
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
        if (name == "silent.test")
        {
            return null;
        }
        var rcode = name == "servfail.test" ? 2 : _addresses.ContainsKey(name) || _aliases.ContainsKey(name) ? 0 : 3;
        var message = new List<byte>(query[..questionEnd]);
        var answers = 0;
        var owner = new byte[] { 0xC0, 12 };
        if (_aliases.TryGetValue(name, out var target))
        {
            var data = Name(target);
            Record(message, owner, 5, data);
            owner = [0xC0, (byte)(message.Count - data.Length)];
            answers++;
            name = target;
        }
        foreach (var address in _addresses.GetValueOrDefault(name) ?? [])
        {
            var addressType = address.AddressFamily == AddressFamily.InterNetwork ? 1 : 28;
            if (addressType == type)
            {
                Record(message, owner, addressType, address.GetAddressBytes());
                answers++;
            }
        }
        message[2] = (byte)(0x81 | (query[2] & 0x01)); // QR, RD copied
        message[3] = (byte)(0x80 | rcode); // RA + RCODE
        message[6] = (byte)(answers >> 8);
        message[7] = (byte)answers;
        return [.. message];
    }

    private static void Record(List<byte> message, byte[] owner, int type, byte[] data)
    {
        message.AddRange(owner);
        message.AddRange([(byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0x0E, 0x10]); // class IN, TTL 3600
        message.AddRange([(byte)(data.Length >> 8), (byte)data.Length]);
        message.AddRange(data);
    }

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _udp.Dispose();
        _stop.Dispose();
    }
}
