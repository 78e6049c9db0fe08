using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeline.Storage.Sqlite;

/// <summary>The flushes .NET has no call for: a file's data without its times, and a directory.</summary>
internal static class Posix
{
    /// <summary>Flushes a file's data, and its size when it grew; not its times (fdatasync, as SQLite does).</summary>
    public static void SyncData(SafeFileHandle file, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            RandomAccess.FlushToDisk(file);
        }
        else if (NativeMethods.fdatasync((int)file.DangerousGetHandle()) != 0)
        {
            throw new IOException($"cannot sync {path} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Flushes a directory, so that the names of files created in it survive a power loss.</summary>
    public static void SyncDirectory(string path)
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

    /// <summary>
    /// Takes an exclusive advisory lock on an open file without waiting (flock LOCK_EX|LOCK_NB):
    /// false when another open file description holds one. The kernel drops it when the file is
    /// closed or the process dies, even by kill -9.
    /// </summary>
    public static bool TryLockExclusive(SafeFileHandle file, string path)
    {
        const int LockExclusive = 2, LockNonBlocking = 4, WouldBlock = 11, WouldBlockBsd = 35;
        if (NativeMethods.flock((int)file.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is WouldBlock or WouldBlockBsd)
        {
            return false;
        }
        throw new IOException($"cannot lock {path} (errno {errno})");
    }

    /// <summary>The first bytes of a file as text, read with open(2) and read(2): .NET would ask for a shared lock first. Null if unreadable.</summary>
    public static string? ReadUnlocked(string path, int max)
    {
        var fd = NativeMethods.open([.. System.Text.Encoding.UTF8.GetBytes(path), 0], 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            var buffer = new byte[max];
            var read = NativeMethods.read(fd, buffer, (nint)max);
            return read < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)read);
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern nint read(int fd, byte[] buffer, nint count);

        [DllImport("libc", SetLastError = true)]
        public static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fdatasync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
