using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// Makes committed transactions durable off the writer's thread. With <c>Power</c> durability the
/// writer connection runs with <c>synchronous=OFF</c>: a commit writes its frames to the
/// write-ahead log and returns, and the writer moves on to the next batch while this thread
/// fsyncs the log and only then answers the batch's callers. Batches that commit while an fsync
/// is under way share the next one. What an fsync of the log promises is what
/// <c>synchronous=FULL</c> promises: the frames of every answered commit are on disk, and a torn
/// tail after a power loss fails its checksum and is ignored when the database is opened.
/// </summary>
internal sealed class WalSync : IDisposable
{
    private readonly string _walPath;
    private SafeFileHandle? _wal;

    public WalSync(string databasePath) => _walPath = databasePath + "-wal";

    /// <summary>Flushes the log to disk; the log exists once a transaction has committed.</summary>
    public void Flush()
    {
        if (_wal is null)
        {
            _wal = File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            // The log may have been created at this start: its name must be on disk too.
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_walPath))!);
        }
        // The data, and the file's size when it grew; not its times (fdatasync, as SQLite does).
        if (OperatingSystem.IsWindows())
        {
            RandomAccess.FlushToDisk(_wal);
        }
        else if (NativeMethods.fdatasync((int)_wal.DangerousGetHandle()) != 0)
        {
            throw new IOException($"cannot sync {_walPath} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    private static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS keeps directory entries in its own journal.
        }
        var fd = NativeMethods.open([.. System.Text.Encoding.UTF8.GetBytes(path), 0], 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"cannot sync {path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fdatasync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }

    public void Dispose() => _wal?.Dispose();
}
