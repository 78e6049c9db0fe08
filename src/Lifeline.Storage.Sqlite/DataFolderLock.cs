using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// One process at a time on a data folder: an exclusive lock on <c>lifeline.lock</c> inside it,
/// held for as long as this object lives (the server's whole run). The file holds the holder's
/// process id, for the message a second process prints. The lock is the kernel's, so it is gone
/// when the holder exits, even by kill -9; the file itself stays and is reused.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string FileName = "lifeline.lock";

    private readonly SafeFileHandle _file;

    private DataFolderLock(string folder, SafeFileHandle file)
    {
        Folder = folder;
        _file = file;
    }

    /// <summary>The full path of the locked folder.</summary>
    public string Folder { get; }

    /// <summary>Locks <paramref name="folder"/> (creating it if needed), or throws <see cref="StoreStartException"/> naming the process that holds it.</summary>
    public static DataFolderLock Acquire(string folder) =>
        TryAcquire(folder, out var holder) ?? throw new StoreStartException(
            $"the data folder {Path.GetFullPath(folder)} is in use by another lifeline process{(holder is null ? "" : $" (pid {holder})")}; " +
            "stop it first, or use another --data folder");

    /// <summary>Locks <paramref name="folder"/>, or returns null when another process holds it (its id in <paramref name="holder"/> when known).</summary>
    public static DataFolderLock? TryAcquire(string folder, out int? holder)
    {
        holder = null;
        var full = Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        var path = Path.Combine(full, FileName);
        SafeFileHandle file;
        try
        {
            // Windows enforces the sharing mode itself; elsewhere flock below does the locking.
            file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                OperatingSystem.IsWindows() ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException) when (OperatingSystem.IsWindows())
        {
            return null;
        }
        if (!OperatingSystem.IsWindows() && !Posix.TryLockExclusive(file, path))
        {
            holder = ReadHolder(file);
            file.Dispose();
            return null;
        }
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(file, 0);
        RandomAccess.Write(file, pid, 0);
        return new DataFolderLock(full, file);
    }

    private static int? ReadHolder(SafeFileHandle file)
    {
        var buffer = new byte[32];
        var read = RandomAccess.Read(file, buffer, 0);
        return int.TryParse(Encoding.ASCII.GetString(buffer, 0, read).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Releases the folder (closing the file drops the lock).</summary>
    public void Dispose() => _file.Dispose();
}
