using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The ping log: a file beside the database (suffix <c>-pings</c>) where routine pings are written
/// before they are acknowledged, one record each, appended in the order they were committed. A
/// record is the row values of one ping (<see cref="PingJournal"/>) under a header:
/// <code>[payload length: u32][crc32c of the rest: u32][generation: i64][payload]</code>
/// The payload is a value count (u16) and the values, each a tag byte (0 null, 1 integer,
/// 2 real, 3 text) and its bytes. The generation tells which records the database already holds
/// (<see cref="PingJournal"/>). A record that fails its checksum, a torn tail after a crash, ends
/// the log.
/// </summary>
internal sealed class PingLog : IDisposable
{
    public const string Suffix = "-pings";

    private const int HeaderSize = 16;

    /// <summary>Longest payload a record may have; anything longer is damage.</summary>
    private const int MaxPayload = 64 << 20;

    /// <summary>How far the file is extended with zeros at a time, ahead of the records.</summary>
    private const int ExtendBy = 4 << 20;

    private readonly SafeFileHandle _file;

    // The file's length: the records, then zeros written ahead of them.
    private long _length;

    private PingLog(string path, SafeFileHandle file)
    {
        Path = path;
        _file = file;
        _length = RandomAccess.GetLength(file);
    }

    public string Path { get; }

    /// <summary>Where the next record goes: the end of the valid records.</summary>
    public long Offset { get; private set; }

    /// <summary>Opens (or creates) the log of <paramref name="databasePath"/>; with <paramref name="durable"/>, a new file's name is flushed too.</summary>
    public static PingLog Open(string databasePath, bool durable)
    {
        var path = databasePath + Suffix;
        var created = !File.Exists(path);
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (created && durable)
        {
            Posix.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        }
        return new PingLog(path, file);
    }

    /// <summary>
    /// Reads the log from its start up to the first record that is not whole and valid, and puts
    /// <see cref="Offset"/> there. Returns each record's generation and values, in order.
    /// </summary>
    public List<(long Generation, object?[] Values)> ReadAll()
    {
        var (records, end) = Read(_file);
        Offset = end;
        return records;
    }

    /// <summary>The records in the log of <paramref name="databasePath"/>, read while its store may have it open.</summary>
    public static List<(long Generation, object?[] Values)> ReadAll(string databasePath)
    {
        using var file = File.OpenHandle(databasePath + Suffix, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Read(file).Records;
    }

    private static (List<(long, object?[])> Records, long End) Read(SafeFileHandle file)
    {
        var records = new List<(long, object?[])>();
        var length = RandomAccess.GetLength(file);
        var header = new byte[HeaderSize];
        var offset = 0L;
        while (offset + HeaderSize <= length && RandomAccess.Read(file, header, offset) == HeaderSize)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (size is 0 or > MaxPayload || offset + HeaderSize + size > length)
            {
                break;
            }
            var body = new byte[8 + size];
            header.AsSpan(8, 8).CopyTo(body);
            if (RandomAccess.Read(file, body.AsSpan(8), offset + HeaderSize) != size
                || Crc(body) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))
                || !TryDecode(body.AsSpan(8), out var values))
            {
                break;
            }
            records.Add((BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)), values));
            offset += HeaderSize + size;
        }
        return (records, offset);
    }

    /// <summary>Writes records (encoded by <see cref="Encode"/>) at <see cref="Offset"/>, or at the start of the file when <paramref name="fromStart"/>.</summary>
    public void Write(ReadOnlySpan<byte> records, bool fromStart)
    {
        if (fromStart)
        {
            Offset = 0;
        }
        if (records.IsEmpty)
        {
            return;
        }
        if (Offset + records.Length > _length)
        {
            ExtendTo(Offset + records.Length + ExtendBy);
        }
        RandomAccess.Write(_file, records, Offset);
        Offset += records.Length;
        Volatile.Write(ref _written, 1);
    }

    /// <summary>Makes sure the file has room for the next records, as a write would (a probe of the disk's free space).</summary>
    public void Reserve()
    {
        if (Offset + ExtendBy > _length)
        {
            ExtendTo(Offset + ExtendBy);
        }
    }

    /// <summary>
    /// Writes zeros up to <paramref name="length"/>. A flush of records written over blocks the
    /// file already has writes just their data; a flush that grows the file also writes its
    /// inode and block map. Growing a few MiB at a time keeps nearly every flush the cheap kind.
    /// (Zeros also end the log for <see cref="ReadAll()"/>.)
    /// </summary>
    private void ExtendTo(long length)
    {
        var zeros = new byte[64 << 10];
        for (var at = _length; at < length; at += zeros.Length)
        {
            RandomAccess.Write(_file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - at)), at);
        }
        _length = length;
    }

    // Set when records are written, cleared by a flush: any thread may flush.
    private int _written;

    /// <summary>Flushes what was written to disk; nothing to do if nothing was written since the last flush.</summary>
    public void Flush()
    {
        if (Interlocked.Exchange(ref _written, 0) == 1)
        {
            Posix.SyncData(_file, Path);
        }
    }

    /// <summary>Empties the file, once the database holds every record in it.</summary>
    public void Clear()
    {
        RandomAccess.SetLength(_file, 0);
        Offset = _length = 0;
    }

    /// <summary>Appends one record to <paramref name="buffer"/>.</summary>
    public static void Encode(ArrayBufferWriter<byte> buffer, long generation, object?[] values)
    {
        var size = 2;
        foreach (var value in values)
        {
            size += 1 + value switch
            {
                null => 0,
                string text => 4 + Encoding.UTF8.GetByteCount(text),
                _ => 8,
            };
        }
        var record = buffer.GetSpan(HeaderSize + size)[..(HeaderSize + size)];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)size);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], generation);
        var at = record[HeaderSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)values.Length);
        at = at[2..];
        foreach (var value in values)
        {
            switch (value)
            {
                case null:
                    at[0] = 0;
                    at = at[1..];
                    break;
                case string text:
                    at[0] = 3;
                    var count = Encoding.UTF8.GetBytes(text, at[5..]);
                    BinaryPrimitives.WriteInt32LittleEndian(at[1..], count);
                    at = at[(5 + count)..];
                    break;
                case double real:
                    at[0] = 2;
                    BinaryPrimitives.WriteDoubleLittleEndian(at[1..], real);
                    at = at[9..];
                    break;
                default:
                    at[0] = 1;
                    BinaryPrimitives.WriteInt64LittleEndian(at[1..], Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    at = at[9..];
                    break;
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc(record[8..]));
        buffer.Advance(record.Length);
    }

    private static bool TryDecode(ReadOnlySpan<byte> payload, out object?[] values)
    {
        values = [];
        if (payload.Length < 2)
        {
            return false;
        }
        var decoded = new object?[BinaryPrimitives.ReadUInt16LittleEndian(payload)];
        var at = payload[2..];
        for (var i = 0; i < decoded.Length; i++)
        {
            if (at.IsEmpty)
            {
                return false;
            }
            var tag = at[0];
            at = at[1..];
            switch (tag)
            {
                case 0:
                    break;
                case 1 or 2 when at.Length >= 8:
                    decoded[i] = tag == 1 ? (object)BinaryPrimitives.ReadInt64LittleEndian(at) : BinaryPrimitives.ReadDoubleLittleEndian(at);
                    at = at[8..];
                    break;
                case 3 when at.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(at) is var count && count >= 0 && count <= at.Length - 4:
                    decoded[i] = Encoding.UTF8.GetString(at.Slice(4, count));
                    at = at[(4 + count)..];
                    break;
                default:
                    return false;
            }
        }
        values = decoded;
        return at.IsEmpty;
    }

    /// <summary>CRC-32C (Castagnoli), in hardware where the processor has it.</summary>
    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }

    public void Dispose() => _file.Dispose();
}
