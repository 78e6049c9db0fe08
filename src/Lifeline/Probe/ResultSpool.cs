using System.Globalization;
using System.Text;
using System.Text.Json;
using Lifeline.Core.Probes;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Probe;

/// <summary>Results sealed together under one batch id, sent (and re-sent) as one.</summary>
internal sealed record SpoolBatch(string Path, string Id, IReadOnlyList<ProbeResult> Results);

/// <summary>
/// The on-disk queue between the checks and the server. Results are appended, one JSON line each,
/// to the open segment (<c>NNNNNNNNNN.open</c>) and flushed to disk before anything else happens;
/// a segment is sealed into a batch by renaming it to <c>NNNNNNNNNN.&lt;batch id&gt;.batch</c> when it
/// is full or when the sender wants it, so the id travels with the batch and a retry reuses it. A
/// batch file is deleted only after the server stored it. Files are taken oldest first (by number).
/// When the spool would grow past its bound the oldest batches are dropped and the loss is logged.
/// </summary>
internal sealed class ResultSpool : IDisposable
{
    private const string OpenSuffix = ".open";
    private const string BatchSuffix = ".batch";

    private readonly string _folder;
    private readonly long _maxBytes;
    private readonly int _batchSize;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly List<Sealed> _sealed = [];
    private long _nextNumber;
    private FileStream? _open;
    private string? _openPath;
    private int _openCount;

    private sealed record Sealed(string Path, string Id, int Count, long Bytes);

    public ResultSpool(string folder, long maxBytes, int batchSize, ILogger log)
    {
        _folder = folder;
        _maxBytes = maxBytes;
        _batchSize = batchSize;
        _log = log;
        Directory.CreateDirectory(folder);
        foreach (var path in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(path);
            var parts = name.Split('.');
            if (parts.Length < 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                continue;
            }
            _nextNumber = Math.Max(_nextNumber, number + 1);
            if (name.EndsWith(BatchSuffix, StringComparison.Ordinal) && parts.Length == 3)
            {
                _sealed.Add(new Sealed(path, parts[1], CountLines(path), new FileInfo(path).Length));
            }
            else if (name.EndsWith(OpenSuffix, StringComparison.Ordinal))
            {
                // A segment left open by the last run is older than anything this run writes: seal it now.
                var count = CountLines(path);
                if (count == 0)
                {
                    File.Delete(path);
                    continue;
                }
                _sealed.Add(SealFile(path, number, count));
            }
        }
    }

    /// <summary>Results on disk, not yet acknowledged by the server.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _sealed.Sum(s => s.Count) + _openCount;
            }
        }
    }

    /// <summary>Results dropped because the spool was full, since start.</summary>
    public long Dropped { get; private set; }

    /// <summary>Bytes on disk.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return SizeLocked();
            }
        }
    }

    /// <summary>Appends results and makes them durable (fsync) before returning.</summary>
    public void Append(IReadOnlyList<ProbeResult> results)
    {
        lock (_gate)
        {
            foreach (var result in results)
            {
                if (_open is null)
                {
                    _openPath = System.IO.Path.Combine(_folder, Number(_nextNumber++) + OpenSuffix);
                    _open = new FileStream(_openPath, FileMode.Append, FileAccess.Write, FileShare.Read);
                    _openCount = 0;
                }
                var line = JsonSerializer.Serialize(result, ProbeJson.Default.ProbeResult) + "\n";
                _open.Write(Encoding.UTF8.GetBytes(line));
                _openCount++;
                // A segment is sealed at a batch's size, or at a quarter of the bound so dropping stays fine-grained.
                if (_openCount >= _batchSize || _open.Length >= _maxBytes / 4)
                {
                    SealOpenLocked();
                }
            }
            _open?.Flush(flushToDisk: true);
            EnforceBoundLocked();
        }
    }

    /// <summary>The oldest batch waiting; seals the open segment when nothing older waits. Null when the spool is empty.</summary>
    public SpoolBatch? NextBatch()
    {
        lock (_gate)
        {
            if (_sealed.Count == 0 && _openCount > 0)
            {
                SealOpenLocked();
            }
            while (_sealed.Count > 0)
            {
                var oldest = _sealed[0];
                try
                {
                    return new SpoolBatch(oldest.Path, oldest.Id, ReadResults(oldest.Path));
                }
                catch (FileNotFoundException)
                {
                    _sealed.RemoveAt(0);
                }
            }
            return null;
        }
    }

    /// <summary>The server stored the batch: forget it.</summary>
    public void Delivered(SpoolBatch batch)
    {
        lock (_gate)
        {
            _sealed.RemoveAll(s => s.Path == batch.Path);
            File.Delete(batch.Path);
        }
    }

    private void SealOpenLocked()
    {
        if (_open is null || _openPath is null)
        {
            return;
        }
        _open.Flush(flushToDisk: true);
        _open.Dispose();
        var number = long.Parse(System.IO.Path.GetFileName(_openPath).Split('.')[0], CultureInfo.InvariantCulture);
        _sealed.Add(SealFile(_openPath, number, _openCount));
        _open = null;
        _openPath = null;
        _openCount = 0;
    }

    private Sealed SealFile(string path, long number, int count)
    {
        var id = "b" + Guid.NewGuid().ToString("N");
        var sealedPath = System.IO.Path.Combine(_folder, $"{Number(number)}.{id}{BatchSuffix}");
        File.Move(path, sealedPath);
        return new Sealed(sealedPath, id, count, new FileInfo(sealedPath).Length);
    }

    private void EnforceBoundLocked()
    {
        var dropped = 0;
        while (SizeLocked() > _maxBytes)
        {
            if (_sealed.Count == 0)
            {
                SealOpenLocked();
            }
            if (_sealed.Count == 0)
            {
                break;
            }
            var oldest = _sealed[0];
            _sealed.RemoveAt(0);
            File.Delete(oldest.Path);
            dropped += oldest.Count;
        }
        if (dropped > 0)
        {
            Dropped += dropped;
            _log.LogWarning("Spool full ({Limit} MB): dropped the {Dropped} oldest result(s) ({Total} since start).",
                (_maxBytes / (1024.0 * 1024)).ToString("0.##", CultureInfo.InvariantCulture), dropped, Dropped);
        }
    }

    private long SizeLocked() => _sealed.Sum(s => s.Bytes) + (_open?.Length ?? 0);

    private static string Number(long number) => number.ToString("D10", CultureInfo.InvariantCulture);

    private static int CountLines(string path) => ReadResults(path).Count;

    /// <summary>Every whole result in the file; a line cut short by a crash is skipped.</summary>
    private static List<ProbeResult> ReadResults(string path)
    {
        var results = new List<ProbeResult>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize(line, ProbeJson.Default.ProbeResult) is { } result)
                {
                    results.Add(result);
                }
            }
            catch (JsonException)
            {
                // Half a line from a crash mid-write: the rest of the file is still good.
            }
        }
        return results;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _open?.Flush(flushToDisk: true);
            _open?.Dispose();
            _open = null;
        }
    }
}
