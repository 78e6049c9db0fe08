using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using Lifeline.Cli.Client;
using Lifeline.Client.Push;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline run --url &lt;ping url&gt; [--timeout S] -- &lt;command&gt; [args...]</c>: the cron
/// wrapper. Sends <c>/start?rid=…</c> alongside the job's start (never before it: the job is not
/// held up by a slow server), passes stdin, stdout and stderr through while keeping the tail of
/// the output, then sends <c>/&lt;exit status&gt;?rid=…</c> with that tail (up to the server's
/// <c>Ping-Body-Limit</c>, 10,000 bytes by default) as the body. The server being down or slow
/// never changes the job's exit status; the final report is retried for a few seconds.
/// With an <c>/api/push</c> URL there is no start signal and the end is sent as up or down.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>the command's own</term><description>the command ran to its end (0 is success)</description></item>
///   <item><term>1</term><description>also: invalid arguments to <c>lifeline run</c> itself</description></item>
///   <item><term>124</term><description>the command ran past <c>--timeout</c>; it and its children were killed</description></item>
///   <item><term>126</term><description>the command was found but could not be started (not executable)</description></item>
///   <item><term>127</term><description>the command was not found</description></item>
///   <item><term>130, 143</term><description>lifeline was told to stop (Ctrl+C / SIGTERM); the command and its children were killed</description></item>
/// </list>
/// </summary>
internal static class RunCommand
{
    public const int TimedOut = 124;
    public const int CannotExecute = 126;
    public const int NotFound = 127;

    /// <summary>The body limit when the server has not said its own.</summary>
    public const int DefaultBodyLimit = 10_000;

    /// <summary>Longest output tail kept, whatever the server allows.</summary>
    private const int MaxBodyLimit = 1_000_000;

    /// <summary>How long the run is reported for. Start: 5 s in the background; end: 5 s after the job.</summary>
    internal sealed record Reporting(TimeSpan StartRetryFor, TimeSpan EndRetryFor)
    {
        public static Reporting Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    public static Command Create(CliEnvironment? environment = null)
    {
        var url = new Option<string?>("--url", "-u")
        {
            Description = "The monitor's ping URL, https://host/ping/<token> (an /api/push/<token> URL works too, without start and duration).",
            Required = true,
        };
        url.MustBeUrl();
        var timeout = CliOptions.Duration("--timeout", "Kill the command (and its children) after this long and report a failure (exit code 124).");
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The command to run and its arguments, after --.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command("run", """
            Run a command (a cron job) and report it to a push monitor: its start, its exit status,
            how long it took and the tail of its output. lifeline exits with the command's own exit status;
            an unreachable server never stops or fails the job.
            Exit codes: the command's own; 124 timed out; 126 not executable; 127 not found; 130/143 stopped by Ctrl+C/SIGTERM.

            Examples:
              lifeline run --url https://lifeline.example.com/ping/Kq3xV9 -- /usr/local/bin/backup.sh --full
              0 3 * * * lifeline run --url https://lifeline.example.com/ping/Kq3xV9 --timeout 1h -- pg_dump -f /backups/db.sql app
              lifeline run --url "$LIFELINE_URL" -- sh -c 'cd /srv/app && ./cleanup'
            """)
        {
            url, timeout, commandLine,
        };
        command.SetAction((result, cancellationToken) =>
            RunAsync(
                new Uri(result.GetValue(url)!),
                result.GetValue(commandLine)!,
                result.GetDuration(timeout),
                environment ?? CliEnvironment.Default,
                Reporting.Default,
                cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(Uri url, IReadOnlyList<string> commandLine, TimeSpan? timeout, CliEnvironment environment, Reporting reporting, CancellationToken cancellationToken)
    {
        using var http = LifelineHttp.Create(connectTimeout: TimeSpan.FromSeconds(5));
        using var stop = StopSignals.Listen(cancellationToken);
        var sender = environment.CreateSender(http);
        var runId = Guid.NewGuid();
        var tail = new OutputTail(DefaultBodyLimit);

        // The start signal goes out beside the job, never in front of it.
        var startRequest = PushRequests.Start(url, runId);
        var start = startRequest is null
            ? Task.FromResult<PushResult?>(null)
            : Task.Run<PushResult?>(async () =>
            {
                var answer = await sender.SendAsync(startRequest, reporting.StartRetryFor, CancellationToken.None);
                if (answer.BodyLimit is { } limit)
                {
                    tail.EnsureCapacity(Math.Min(limit, MaxBodyLimit));
                }
                return answer;
            }, CancellationToken.None);

        var status = await RunJobAsync(commandLine, timeout, tail, environment, stop);

        var started = await start;
        var bodyLimit = Math.Min(started?.BodyLimit ?? DefaultBodyLimit, MaxBodyLimit);
        var end = PushRequests.Finish(url, status is >= 0 and <= 255 ? status : 255, runId, tail.Text(bodyLimit));
        var reported = await sender.SendAsync(end, reporting.EndRetryFor, CancellationToken.None);
        if (!reported.Acknowledged)
        {
            await environment.Error.WriteLineAsync($"lifeline run: could not report the result to {url.Host}: {reported.Message}");
        }
        return status;
    }

    private static async Task<int> RunJobAsync(IReadOnlyList<string> commandLine, TimeSpan? timeout, OutputTail tail, CliEnvironment environment, StopSignals stopSignals)
    {
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            // errno 2 (ENOENT) means no such file; anything else (EACCES, ENOEXEC) means it is there but cannot run.
            var notFound = ex.NativeErrorCode == 2;
            var problem = notFound ? "command not found" : $"cannot execute ({ex.Message})";
            var line = $"lifeline run: {commandLine[0]}: {problem}";
            await environment.Error.WriteLineAsync(line);
            tail.Append(line + "\n");
            return notFound ? NotFound : CannotExecute;
        }

        var stdout = environment.OpenStandardOutput();
        var stderr = environment.OpenStandardError();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, stdout, tail),
            PumpAsync(process.StandardError.BaseStream, stderr, tail));

        using var deadline = timeout is { } limit ? new CancellationTokenSource(limit, environment.Time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopSignals.Token);
        int status;
        string? note = null;
        try
        {
            await process.WaitForExitAsync(stop.Token);
            status = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            (status, note) = deadline.IsCancellationRequested
                ? (TimedOut, $"lifeline run: timed out after {Durations.Show(timeout!.Value)}; killed the command and its children.")
                : (stopSignals.ExitStatus, "lifeline run: told to stop; killed the command and its children.");
        }

        // A background child may hold the output pipes open after the command itself exits: wait briefly, not forever.
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(2), environment.Time, CancellationToken.None));
        if (note is not null)
        {
            await environment.Error.WriteLineAsync(note);
            tail.Append(note + "\n");
        }
        return status;
    }

    private static async Task PumpAsync(Stream from, Stream to, OutputTail tail)
    {
        var buffer = new byte[8192];
        var passThrough = true;
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
            if (!passThrough)
            {
                continue;
            }
            try
            {
                await to.WriteAsync(buffer.AsMemory(0, read));
                await to.FlushAsync();
            }
            catch (IOException)
            {
                // Our own output is gone (a closed pipe): keep draining the job's output so it never blocks.
                passThrough = false;
            }
        }
    }
}
