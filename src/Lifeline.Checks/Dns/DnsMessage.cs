using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Lifeline.Checks.Dns;

/// <summary>A decoded DNS response: its response code, whether it was cut short, and its answers.</summary>
internal sealed record DnsResponse(int Rcode, bool Truncated, IReadOnlyList<DnsAnswer> Answers);

/// <summary>
/// Builds queries and reads responses in the RFC 1035 wire format (§4.1): a 12-byte header, the
/// question, then resource records whose names may be compressed with pointers (§4.1.4).
/// </summary>
internal static class DnsMessage
{
    private const ushort ClassIn = 1;
    private const int MaxPointerJumps = 64;

    /// <summary>A recursive query for one name and type.</summary>
    public static byte[] BuildQuery(ushort id, string name, DnsRecordType type)
    {
        var message = new List<byte>(32 + name.Length);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0x0100); // RD: recursion desired
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1); // QDCOUNT
        message.AddRange(header);
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length is 0 or > 63)
            {
                throw new ArgumentException($"'{name}' is not a valid DNS name", nameof(name));
            }
            message.Add((byte)bytes.Length);
            message.AddRange(bytes);
        }
        message.Add(0);
        message.Add((byte)((ushort)type >> 8));
        message.Add((byte)type);
        message.Add(0);
        message.Add((byte)ClassIn);
        return [.. message];
    }

    /// <summary>The id of a message, or null when it is too short to be one.</summary>
    public static ushort? IdOf(ReadOnlySpan<byte> message) =>
        message.Length >= 12 ? BinaryPrimitives.ReadUInt16BigEndian(message) : null;

    /// <summary>Decodes a response; throws <see cref="FormatException"/> when it is malformed.</summary>
    public static DnsResponse ParseResponse(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12)
        {
            throw new FormatException("DNS answer shorter than its header");
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) == 0)
        {
            throw new FormatException("DNS message is not a response");
        }
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var offset = 12;
        for (var i = 0; i < questions; i++)
        {
            ReadName(message, ref offset);
            offset += 4; // QTYPE, QCLASS
        }
        var records = new List<DnsAnswer>(answers);
        for (var i = 0; i < answers; i++)
        {
            var owner = ReadName(message, ref offset);
            Need(message, offset, 10);
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            Need(message, offset, length);
            var data = ReadData(message, offset, length, type);
            offset += length;
            records.Add(new DnsAnswer(owner, TypeName(type), TimeSpan.FromSeconds(ttl), data));
        }
        return new DnsResponse(flags & 0x000F, (flags & 0x0200) != 0, records);
    }

    private static string TypeName(ushort type) =>
        Enum.IsDefined((DnsRecordType)type) ? ((DnsRecordType)type).ToString() : $"TYPE{type}";

    private static string ReadData(ReadOnlySpan<byte> message, int offset, int length, ushort type)
    {
        var data = message.Slice(offset, length);
        switch ((DnsRecordType)type)
        {
            case DnsRecordType.A when length == 4:
            case DnsRecordType.AAAA when length == 16:
                return new IPAddress(data).ToString();
            case DnsRecordType.A or DnsRecordType.AAAA:
                throw new FormatException($"DNS {TypeName(type)} record of {length} bytes");
            case DnsRecordType.CNAME or DnsRecordType.NS or DnsRecordType.PTR:
                var at = offset;
                return ReadName(message, ref at);
            case DnsRecordType.MX:
                Need(message, offset, 2);
                var exchange = offset + 2;
                return $"{BinaryPrimitives.ReadUInt16BigEndian(data)} {ReadName(message, ref exchange)}";
            case DnsRecordType.TXT:
                var parts = new List<string>();
                for (var i = 0; i < data.Length;)
                {
                    var size = data[i++];
                    if (i + size > data.Length)
                    {
                        throw new FormatException("DNS TXT record overruns its data");
                    }
                    parts.Add(Encoding.UTF8.GetString(data.Slice(i, size)));
                    i += size;
                }
                return string.Concat(parts);
            default:
                return Convert.ToHexString(data);
        }
    }

    /// <summary>Reads a possibly compressed name; <paramref name="offset"/> ends just after it where it was written.</summary>
    private static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var name = new StringBuilder();
        var position = offset;
        var jumped = false;
        for (var jumps = 0; ; )
        {
            Need(message, position, 1);
            var length = message[position];
            if (length == 0)
            {
                position++;
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                Need(message, position, 2);
                if (++jumps > MaxPointerJumps)
                {
                    throw new FormatException("DNS name compression loops");
                }
                var target = BinaryPrimitives.ReadUInt16BigEndian(message[position..]) & 0x3FFF;
                if (!jumped)
                {
                    offset = position + 2;
                    jumped = true;
                }
                position = target;
                continue;
            }
            if ((length & 0xC0) != 0)
            {
                throw new FormatException("DNS label type not supported");
            }
            Need(message, position + 1, length);
            foreach (var b in message.Slice(position + 1, length))
            {
                name.Append(b is > 32 and < 127 && b != (byte)'.' ? (char)b : $"\\{b.ToString("000", CultureInfo.InvariantCulture)}");
            }
            name.Append('.');
            position += 1 + length;
            if (name.Length > 1024)
            {
                throw new FormatException("DNS name too long");
            }
        }
        if (!jumped)
        {
            offset = position;
        }
        return name.Length == 0 ? "." : name.ToString();
    }

    private static void Need(ReadOnlySpan<byte> message, int offset, int count)
    {
        if (offset < 0 || offset + count > message.Length)
        {
            throw new FormatException("DNS answer cut short");
        }
    }
}
