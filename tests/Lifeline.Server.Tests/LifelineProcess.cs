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
    public static async Task<LifelineProcess> StartAsync(string dataFolder, int? port = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var executable = Path.Combine(AppContext.BaseDirectory, "lifeline.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[executable, "serve", "--urls", baseUri.ToString().TrimEnd('/'), "--data", dataFolder, .. extraArgs])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["LIFELINE_API_KEY"] = LifelineApp.AdminKey;
        info.Environment["Lifeline__EventsKept"] = "100000";
        // Every test talks over loopback: the push 404 limit would count them all as one client.
        info.Environment["Lifeline__RateLimitLoopback"] = "false";
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
