using System.Diagnostics;
using System.Text;

namespace Lifeline.Server.Tests.Probes;

/// <summary>
/// Separate hosts on this machine: one network namespace per location, joined to the host by a
/// veth pair on a private /30 (host 10.R.i.1, location 10.R.i.2). A target address 10.R.250.1 sits
/// on the host's loopback and each location routes to it through its own link, so one location can
/// be cut off from the target (its route deleted) while it still reaches the server. Needs root
/// and <c>ip netns</c>, which CI has.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private readonly int _net;
    private readonly string _tag;
    private readonly List<string> _namespaces = [];

    private NetworkLab(int net, string tag)
    {
        _net = net;
        _tag = tag;
    }

    /// <summary>The address every location reaches the target on.</summary>
    public string TargetAddress => $"10.{_net}.250.1";

    /// <summary>The host's address as location <paramref name="i"/> sees it (where the server listens).</summary>
    public string HostAddress(int i) => $"10.{_net}.{i}.1";

    public string Namespace(int i) => _namespaces[i];

    /// <summary>Why this machine cannot make namespaces, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }
        if (Environment.UserName != "root")
        {
            return "network namespaces need root (CI runs the suite as root)";
        }
        var name = $"llchk{Environment.ProcessId % 100000}";
        var (code, output) = Run("ip", "netns", "add", name);
        Run("ip", "netns", "del", name);
        return code == 0 ? null : $"ip netns add failed: {output.Trim()}";
    }

    public static NetworkLab Create(int locations)
    {
        var net = Random.Shared.Next(100, 250);
        var lab = new NetworkLab(net, $"{Environment.ProcessId % 1000}{Random.Shared.Next(100, 999)}");
        try
        {
            Must("ip", "addr", "add", $"{lab.TargetAddress}/32", "dev", "lo");
            for (var i = 0; i < locations; i++)
            {
                var ns = $"ll{lab._tag}n{i}";
                var hostSide = $"ll{lab._tag}h{i}";
                var nsSide = $"ll{lab._tag}p{i}";
                Must("ip", "netns", "add", ns);
                lab._namespaces.Add(ns);
                Must("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
                Must("ip", "link", "set", nsSide, "netns", ns);
                Must("ip", "addr", "add", $"{lab.HostAddress(i)}/30", "dev", hostSide);
                Must("ip", "link", "set", hostSide, "up");
                Must("ip", "netns", "exec", ns, "ip", "addr", "add", $"10.{net}.{i}.2/30", "dev", nsSide);
                Must("ip", "netns", "exec", ns, "ip", "link", "set", nsSide, "up");
                Must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                lab.Restore(i);
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Location <paramref name="i"/> loses its route to the target (the server it still reaches).</summary>
    public void Cut(int i) => Must("ip", "netns", "exec", _namespaces[i], "ip", "route", "del", TargetAddress);

    public void Restore(int i) => Must("ip", "netns", "exec", _namespaces[i], "ip", "route", "replace", TargetAddress, "via", HostAddress(i));

    /// <summary>Starts <paramref name="arguments"/> inside location <paramref name="i"/>'s namespace.</summary>
    public Process Start(int i, StringBuilder output, params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", _namespaces[i] }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            // Deleting the namespace deletes its end of the veth pair, and with it the host's end.
            Run("ip", "netns", "del", ns);
        }
        Run("ip", "addr", "del", $"{TargetAddress}/32", "dev", "lo");
    }

    private static void Must(params string[] command)
    {
        var (code, output) = Run(command);
        if (code != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({code}): {output}");
        }
    }

    private static (int Code, string Output) Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}

/// <summary>A test that needs separate hosts: skipped, with the reason, where namespaces cannot be made.</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(NetworkLab.Unavailable);

    public NetnsFactAttribute()
    {
        if (Reason.Value is { } why)
        {
            Skip = why;
        }
    }
}
