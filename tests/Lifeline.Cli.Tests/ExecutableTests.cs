using System.Diagnostics;
using System.Reflection;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests;

/// <summary>Runs the built <c>lifeline</c> executable as its own process, as cron or systemd would.</summary>
public sealed class ExecutableTests : IAsyncLifetime
{
    private RecordingServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RecordingServer.StartAsync();
        _server.Responder = _ => new Reply(200, "OK", ContentType: "text/plain");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Process Start(params string[] args)
    {
        var lifeline = typeof(ExecutableTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LifelineExecutable").Value!;
        File.Exists(lifeline).ShouldBeTrue($"{lifeline} should have been built with the tests");
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(lifeline);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }
        return Process.Start(startInfo)!;
    }

    [Fact]
    public async Task Run_passes_the_output_through_and_exits_with_the_jobs_status()
    {
        using var process = Start("run", "--url", _server.Url("/ping/tok123"), "--", "sh", "-c", "echo hi; exit 3");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        process.ExitCode.ShouldBe(3, await stderr);
        (await stdout).ShouldBe("hi\n");
        var requests = _server.Requests;
        requests.Select(r => r.Path).ShouldBe(["/ping/tok123/start", "/ping/tok123/3"]);
        requests[1].Body.ShouldBe("hi\n");
    }

    [Fact]
    public async Task The_agent_stops_cleanly_on_SIGTERM()
    {
        using var process = Start("agent", "--url", _server.Url("/api/push/tok123"), "--interval", "1");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await _server.WaitForAsync(1, TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException("no beat; the agent said: " + await stderr);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        process.ExitCode.ShouldBe(0);
        (await stderr).ShouldContain("info: Stopped.");
    }

    [Fact]
    public async Task The_probe_stops_cleanly_on_SIGTERM()
    {
        await using var probeServer = await Probe.FakeProbeServer.StartAsync("sigterm-token");
        using var spool = new TempFolder();
        using var process = Start("probe", "--server", probeServer.BaseUri.ToString(), "--token", "sigterm-token", "--spool", spool.Path, "--name", "sigterm");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await probeServer.WaitForAsync(s => s.Polls >= 1, TimeSpan.FromSeconds(30), "the probe's first poll");
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException("no poll; the probe said: " + await stderr);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));

        process.ExitCode.ShouldBe(0, await stderr);
        var said = await stderr;
        said.ShouldContain("info: Enrolled as probe p-1 at location eu-west");
        said.ShouldContain("info: Stopped;");
        File.Exists(Path.Combine(spool.Path, "credential")).ShouldBeTrue();
    }
}
