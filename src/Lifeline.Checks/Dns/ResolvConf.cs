using System.Net;

namespace Lifeline.Checks.Dns;

/// <summary>Reads the system's first nameserver from a resolv.conf file.</summary>
public static class ResolvConf
{
    public const string DefaultPath = "/etc/resolv.conf";

    /// <summary>The first <c>nameserver</c> line's address on port 53; null when the file is missing or names none.</summary>
    public static IPEndPoint? FirstNameserver(string path = DefaultPath)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["nameserver", var address, ..] && IPAddress.TryParse(address, out var ip))
            {
                return new IPEndPoint(ip, 53);
            }
        }
        return null;
    }
}
