using System.CommandLine;
using Lifeline.Cli.Client;
using Lifeline.Client.Push;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline ping &lt;url&gt;</c>: sends one signal to a push monitor, retrying transient
/// failures (network errors, timeouts, 408, 429, 5xx) with backoff and jitter for up to
/// <c>--retry-for</c>.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>0</term><description>the server acknowledged the signal (2xx)</description></item>
///   <item><term>1</term><description>invalid arguments</description></item>
///   <item><term>2</term><description>the server refused it with a 4xx (unknown token, bad parameter); not retried</description></item>
///   <item><term>3</term><description>not acknowledged within <c>--retry-for</c> (unreachable, timeouts, 5xx)</description></item>
/// </list>
/// </summary>
internal static class PingCommand
{
    public const int Acknowledged = 0;
    public const int InvalidArguments = 1;
    public const int Refused = 2;
    public const int NotAcknowledged = 3;

    public static Command Create(CliEnvironment? environment = null)
    {
        var url = new Argument<string>("url")
        {
            Description = "The monitor's push URL: https://host/api/push/<token> or https://host/ping/<token>.",
        };
        url.MustBeUrl();
        var status = new Option<string>("--status")
        {
            Description = "up or down. On /ping URLs, down is sent to /fail.",
            DefaultValueFactory = _ => "up",
        };
        status.AcceptOnlyFromAmong("up", "down");
        var message = new Option<string?>("--msg", "-m")
        {
            Description = "A message stored with the signal (the body on /ping URLs).",
            HelpName = "text",
        };
        var value = new Option<double?>("--value")
        {
            Description = "A number to chart (only /api/push URLs carry it).",
            HelpName = "number",
        };
        var retryFor = CliOptions.Duration("--retry-for", "How long to keep retrying before giving up (default 30 s; also 90s, 5m).");

        var command = new Command("ping", """
            Send one signal to a push monitor, retrying network errors and server errors with backoff.
            Exit codes: 0 acknowledged, 1 invalid arguments, 2 refused by the server (4xx, not retried), 3 not acknowledged in time.

            Examples:
              lifeline ping https://lifeline.example.com/api/push/Kq3xV9 --msg "backup done" --value 42
              lifeline ping https://lifeline.example.com/ping/Kq3xV9 --status down --msg "disk full"
              ./backup.sh && lifeline ping "$LIFELINE_URL" || lifeline ping "$LIFELINE_URL" --status down
            """)
        {
            url, status, message, value, retryFor,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var signal = new PushSignal(result.GetValue(status) != "down", result.GetValue(message), result.GetValue(value));
            return RunAsync(new Uri(result.GetValue(url)!), signal, result.GetDuration(retryFor, TimeSpan.FromSeconds(30))!.Value, environment ?? CliEnvironment.Default, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(Uri url, PushSignal signal, TimeSpan retryFor, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (!PushRequests.IsApiPushUrl(url) && (signal.Value is not null || signal.PingMs is not null))
        {
            await environment.Error.WriteLineAsync("lifeline ping: note: /ping URLs have no place for --value; it is not sent.");
        }
        using var http = LifelineHttp.Create();
        using var stop = StopSignals.Listen(cancellationToken);
        var sender = environment.CreateSender(http);
        PushResult result;
        try
        {
            result = await sender.SendAsync(PushRequests.Signal(url, signal), retryFor, stop.Token);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            await environment.Error.WriteLineAsync("lifeline ping: interrupted before the signal was acknowledged.");
            return NotAcknowledged;
        }
        switch (result.Outcome)
        {
            case PushOutcome.Acknowledged:
                return Acknowledged;
            case PushOutcome.Rejected:
                await environment.Error.WriteLineAsync($"lifeline ping: {url.Host} refused the signal: {result.Message}");
                if (result.StatusCode == 404)
                {
                    await environment.Error.WriteLineAsync("lifeline ping: check the token in the URL; it changes when the monitor's token is rotated.");
                }
                return Refused;
            default:
                await environment.Error.WriteLineAsync(
                    $"lifeline ping: no acknowledgement from {url.Host} within {Durations.Show(retryFor)} ({result.Attempts} attempt(s)); last error: {result.Message}");
                return NotAcknowledged;
        }
    }
}
