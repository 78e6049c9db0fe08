using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>The real <c>lifeline</c> executable started as a child process on a free loopback port.</summary>
public sealed class LifelineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LifelineProcess(Process process, Uri baseUri, HttpClient admin)
    {
        _process = process;
        BaseUri = baseUri;
        Admin = admin;
        Anonymous = new HttpClient { BaseAddress = baseUri };
    }

    public Uri BaseUri { get; }
    public HttpClient Admin { get; }
    public HttpClient Anonymous { get; }
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>lifeline serve</c> on <paramref name="dataFolder"/> and waits until /healthz passes.</summary>
    public static Task<LifelineProcess> StartAsync(string dataFolder, int? port = null, params string[] extraArgs) =>
        StartAsync(dataFolder, new Launch(), port, extraArgs);

    /// <summary>How the process is started beyond its arguments.</summary>
    /// <param name="FdLimit">When set, the process runs under <c>ulimit -n</c> of this many descriptors (soft and hard).</param>
    /// <param name="Environment">Extra environment variables, e.g. <c>Lifeline__KeepAliveTimeoutSeconds</c>.</param>
    /// <param name="Urls">What the server listens on, when not just the loopback base address (e.g. <c>http://0.0.0.0:PORT</c> for other hosts).</param>
    public sealed record Launch(int? FdLimit = null, IReadOnlyDictionary<string, string>? Environment = null, string? Urls = null);

    /// <summary>Starts <c>lifeline serve</c> as <paramref name="launch"/> says and waits until /healthz passes.</summary>
    public static async Task<LifelineProcess> StartAsync(string dataFolder, Launch launch, int? port = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var info = StartInfo(dataFolder, baseUri, launch, extraArgs);
        var process = Process.Start(info)!;
        var admin = new HttpClient { BaseAddress = baseUri };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LifelineApp.AdminKey);
        var running = new LifelineProcess(process, baseUri, admin);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.GetAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"lifeline exited with {process.ExitCode}:\n{running.Output}");
            }
            try
            {
                using var response = await running.Anonymous.GetAsync("healthz");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ready => ready, TimeSpan.FromSeconds(60));
        return running;
    }

    private static ProcessStartInfo StartInfo(string dataFolder, Uri baseUri, Launch launch, string[] extraArgs)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "lifeline.dll");
        string[] command = ["dotnet", executable, "serve", "--urls", launch.Urls ?? baseUri.ToString().TrimEnd('/'), "--data", dataFolder, .. extraArgs];
        if (launch.FdLimit is { } limit)
        {
            // The shell sets the limit, then becomes the server ("$@" keeps every argument whole).
            command = ["bash", "-c", $"ulimit -n {limit} && exec \"$@\"", "bash", .. command];
        }
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["LIFELINE_API_KEY"] = LifelineApp.AdminKey;
        info.Environment["Lifeline__EventsKept"] = "100000";
        // Every test talks over loopback: the push 404 limit would count them all as one client.
        info.Environment["Lifeline__RateLimitLoopback"] = "false";
        foreach (var (name, value) in launch.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return info;
    }

    /// <summary>
    /// Runs <c>lifeline serve</c> expecting it to stop by itself (a refused start); kills it if it
    /// is still running after <paramref name="timeout"/>. Returns its exit code (null if killed) and output.
    /// </summary>
    public static Task<(int? ExitCode, string Output)> RunToExitAsync(string dataFolder, TimeSpan timeout, params string[] extraArgs) =>
        RunToExitAsync(dataFolder, new Launch(), timeout, extraArgs);

    /// <summary>As <see cref="RunToExitAsync(string, TimeSpan, string[])"/>, started as <paramref name="launch"/> says.</summary>
    public static async Task<(int? ExitCode, string Output)> RunToExitAsync(string dataFolder, Launch launch, TimeSpan timeout, params string[] extraArgs)
    {
        var info = StartInfo(dataFolder, new Uri($"http://127.0.0.1:{FreePort()}/"), launch, extraArgs);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        int? code;
        try
        {
            await process.WaitForExitAsync(cts.Token);
            code = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            code = null;
        }
        return (code, await stdout + await stderr);
    }

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd or Ctrl+C would stop it; waits for the exit.</summary>
    public async Task StopAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Admin.Dispose();
        Anonymous.Dispose();
    }
}
