using Microsoft.Win32.SafeHandles;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// Makes committed transactions durable off the writer's thread. With <c>Power</c> or <c>Balanced</c> durability the
/// writer connection runs with <c>synchronous=OFF</c>: a commit writes its frames to the
/// write-ahead log and returns, and the writer moves on to the next batch while its sync thread
/// fsyncs the log (and the ping log, <see cref="PingLog"/>) and only then answers the batch's
/// callers. Batches that commit while an fsync is under way share the next one. What an fsync of
/// the log promises is what <c>synchronous=FULL</c> promises: the frames of every answered commit
/// are on disk, and a torn tail after a power loss fails its checksum and is ignored when the
/// database is opened.
/// </summary>
internal sealed class WalSync : IDisposable
{
    private readonly string _walPath;
    private readonly Lock _opening = new();
    private SafeFileHandle? _wal;

    public WalSync(string databasePath) => _walPath = databasePath + "-wal";

    /// <summary>Flushes the log to disk; the log exists once a transaction has committed. Any thread may call it.</summary>
    public void Flush()
    {
        if (Volatile.Read(ref _wal) is not { } wal)
        {
            lock (_opening)
            {
                if (_wal is null)
                {
                    var opened = File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    // The log may have been created at this start: its name must be on disk too.
                    Posix.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_walPath))!);
                    Volatile.Write(ref _wal, opened);
                }
                wal = _wal;
            }
        }
        Posix.SyncData(wal, _walPath);
    }

    public void Dispose() => _wal?.Dispose();
}
