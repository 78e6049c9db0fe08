using System.Diagnostics;
using System.Text;
using Lifeline.Client.Push;

namespace Lifeline.Cli.Agent;

/// <summary>Runs an agent's local checks and turns each outcome into a push signal.</summary>
internal sealed class LocalChecks(HttpClient http, TimeProvider time)
{
    /// <summary>The longest message taken from a check's output.</summary>
    public const int MaxMessage = 1000;

    public Task<PushSignal> RunAsync(LocalCheck? check, CancellationToken cancellationToken) => check switch
    {
        null => Task.FromResult(PushSignal.Ok),
        CommandCheck command => RunCommandAsync(command, cancellationToken),
        UrlCheck url => GetUrlAsync(url, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(check)),
    };

    private async Task<PushSignal> RunCommandAsync(CommandCheck check, CancellationToken cancellationToken)
    {
        var startInfo = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", check.Command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", check.Command } };
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        var gate = new Lock();
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            lock (gate)
            {
                if (output.Length < 64 * MaxMessage)
                {
                    output.AppendLine(e.Data);
                }
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return PushSignal.Down($"check could not start: {ex.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(check.Timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            return PushSignal.Down($"check timed out after {Client.Durations.Show(check.Timeout)}: {check.Command}");
        }

        string text;
        lock (gate)
        {
            text = output.ToString().Trim();
        }
        if (text.Length > MaxMessage)
        {
            text = text[..MaxMessage];
        }
        return process.ExitCode == 0
            ? new PushSignal(true, text.Length > 0 ? text : "OK")
            : PushSignal.Down(text.Length > 0 ? $"exit status {process.ExitCode}: {text}" : $"exit status {process.ExitCode}");
    }

    private async Task<PushSignal> GetUrlAsync(UrlCheck check, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(check.Timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var started = time.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(check.Url, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            var code = (int)response.StatusCode;
            var elapsed = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
            if (response.IsSuccessStatusCode)
            {
                return new PushSignal(true, $"HTTP {code}", PingMs: elapsed);
            }
            var body = await response.Content.ReadAsStringAsync(stop.Token);
            return new PushSignal(false, PushSender.Summarize(code, body), PingMs: elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PushSignal.Down($"{check.Url} gave no answer within {Client.Durations.Show(check.Timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return PushSignal.Down($"{check.Url}: {ex.Message}");
        }
    }
}
