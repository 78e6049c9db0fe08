using System.Runtime.InteropServices;

namespace Lifeline.Server;

/// <summary>The process's limit on open files (RLIMIT_NOFILE): every inbound connection takes one.</summary>
internal static class FileDescriptors
{
    /// <summary>
    /// Raises the soft limit to the hard one when it is lower, then returns the limit now in force;
    /// null where there is no such limit (Windows) or it cannot be read, or when it is unlimited.
    /// </summary>
    public static long? RaiseToHardLimit()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        var resource = OperatingSystem.IsLinux() ? 7 : 8; // RLIMIT_NOFILE: 7 on Linux, 8 on macOS and the BSDs.
        if (NativeMethods.getrlimit(resource, out var limit) != 0)
        {
            return null;
        }
        if (limit.Current < limit.Maximum && limit.Maximum != Unlimited)
        {
            var raised = limit with { Current = limit.Maximum };
            if (NativeMethods.setrlimit(resource, in raised) == 0)
            {
                limit = raised;
            }
        }
        return limit.Current is Unlimited or > long.MaxValue ? null : (long)limit.Current;
    }

    /// <summary>How many files the process has open now (its loaded assemblies alone hold a few hundred); 0 where this cannot be read.</summary>
    public static int OpenNow()
    {
        var folder = OperatingSystem.IsLinux() ? "/proc/self/fd" : "/dev/fd";
        try
        {
            return OperatingSystem.IsWindows() ? 0 : Directory.GetFileSystemEntries(folder).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private const ulong Unlimited = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    private record struct ResourceLimit(ulong Current, ulong Maximum);

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int getrlimit(int resource, out ResourceLimit limit);

        [DllImport("libc", SetLastError = true)]
        public static extern int setrlimit(int resource, in ResourceLimit limit);
    }
}
