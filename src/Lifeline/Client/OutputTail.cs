using System.Text;

namespace Lifeline.Cli.Client;

/// <summary>
/// Keeps the last bytes written to it (a ring buffer), so a job's output can be reported
/// without holding all of it. Safe for the stdout and stderr pumps writing at once.
/// </summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Lock _gate = new();
    private byte[] _buffer = new byte[capacity];
    private int _start;
    private int _count;

    /// <summary>Bytes written in total, kept or not.</summary>
    public long Total { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            Total += bytes.Length;
            if (bytes.Length >= _buffer.Length)
            {
                bytes[^_buffer.Length..].CopyTo(_buffer);
                _start = 0;
                _count = _buffer.Length;
                return;
            }
            foreach (var b in bytes)
            {
                _buffer[(_start + _count) % _buffer.Length] = b;
                if (_count < _buffer.Length)
                {
                    _count++;
                }
                else
                {
                    _start = (_start + 1) % _buffer.Length;
                }
            }
        }
    }

    public void Append(string text) => Append(Encoding.UTF8.GetBytes(text));

    /// <summary>Grows the buffer (keeping what it holds) when a server allows longer bodies.</summary>
    public void EnsureCapacity(int capacity)
    {
        lock (_gate)
        {
            if (capacity <= _buffer.Length)
            {
                return;
            }
            var bigger = new byte[capacity];
            CopyTo(bigger, _count);
            _buffer = bigger;
            _start = 0;
        }
    }

    /// <summary>
    /// The last <paramref name="maxBytes"/> bytes as text. A character cut in half at the front
    /// is dropped rather than sent broken.
    /// </summary>
    public string Text(int maxBytes)
    {
        lock (_gate)
        {
            var length = Math.Min(maxBytes, _count);
            var bytes = new byte[length];
            CopyTo(bytes, length);
            var skip = 0;
            while (skip < bytes.Length && skip < 3 && (bytes[skip] & 0xC0) == 0x80 && length < Total)
            {
                skip++;
            }
            return Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
        }
    }

    // Copies the newest `length` bytes, oldest first. Called under the lock.
    private void CopyTo(byte[] target, int length)
    {
        var from = (_start + _count - length) % _buffer.Length;
        for (var i = 0; i < length; i++)
        {
            target[i] = _buffer[(from + i) % _buffer.Length];
        }
    }
}
