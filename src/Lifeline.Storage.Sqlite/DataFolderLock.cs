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
            // FileShare.None: Windows enforces it; on Unix .NET takes flock(LOCK_EX | LOCK_NB) for it.
            file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            holder = OperatingSystem.IsWindows() ? null : ReadHolder(path);
            return null;
        }
        // .NET's own lock can be switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING): take it here too.
        if (!OperatingSystem.IsWindows() && !Posix.TryLockExclusive(file, path))
        {
            file.Dispose();
            holder = ReadHolder(path);
            return null;
        }
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(file, 0);
        RandomAccess.Write(file, pid, 0);
        return new DataFolderLock(full, file);
    }

    /// <summary>The process id the holder wrote, read without asking for a lock the holder has.</summary>
    private static int? ReadHolder(string path)
    {
        var text = Posix.ReadUnlocked(path, 32);
        return int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Releases the folder (closing the file drops the lock).</summary>
    public void Dispose() => _file.Dispose();
}
