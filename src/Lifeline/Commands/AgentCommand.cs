using System.CommandLine;
using Lifeline.Cli.Agent;
using Lifeline.Cli.Client;
using Lifeline.Client.Hosting;
using Lifeline.Client.Push;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline agent</c>: a long-running host agent sending heartbeats until SIGTERM or Ctrl+C.
/// One heartbeat from <c>--url</c> (and <c>--interval</c>, <c>--check</c>), or many from a YAML
/// file (<c>--config</c>), each optionally running a local check (a shell command, or a URL that
/// must answer 2xx) that decides up or down and the message. Beats keep to their schedule
/// (start + n × interval) however long a request takes; each is retried with backoff and jitter
/// within the interval; a failure is logged when it starts and when it ends, not on every retry.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>0</term><description>stopped by SIGTERM or Ctrl+C</description></item>
///   <item><term>1</term><description>invalid arguments</description></item>
///   <item><term>2</term><description>the config file is missing or invalid (every problem is printed with its line)</description></item>
/// </list>
/// </summary>
internal static class AgentCommand
{
    public const int Stopped = 0;
    public const int InvalidArguments = 1;
    public const int InvalidConfig = 2;

    public static Command Create(CliEnvironment? environment = null)
    {
        var url = new Option<string?>("--url", "-u")
        {
            Description = "One monitor's push URL (https://host/api/push/<token> or https://host/ping/<token>).",
        };
        url.MustBeUrl();
        var interval = CliOptions.Duration("--interval", "Time between beats for --url (default 60 s; also 30s, 5m).", minimum: TimeSpan.FromSeconds(1));
        var check = new Option<string?>("--check")
        {
            Description = "A shell command run before each beat for --url: exit status 0 sends up, anything else down; its output is the message.",
        };
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A YAML file listing heartbeats (url, interval, optional check); instead of --url.",
            HelpName = "file",
        };

        var command = new Command("agent", """
            Send heartbeats to one or more push monitors until stopped (SIGTERM or Ctrl+C).
            Exit codes: 0 stopped, 1 invalid arguments, 2 invalid config file.

            Examples:
              lifeline agent --url https://lifeline.example.com/api/push/Kq3xV9 --interval 30
              lifeline agent --url https://lifeline.example.com/api/push/Kq3xV9 --check 'systemctl is-active --quiet nginx'
              lifeline agent --config /etc/lifeline/agent.yml

            A config file:
              heartbeats:
                - name: web
                  url: https://lifeline.example.com/api/push/Kq3xV9
                  interval: 60              # seconds, or 30s, 5m, 1h
                  check:
                    command: systemctl is-active --quiet nginx
                    timeout: 10s
                - name: api
                  url: https://lifeline.example.com/ping/Zt81Qe
                  interval: 5m
                  check:
                    url: http://127.0.0.1:8080/healthz
            """)
        {
            url, interval, check, config,
        };
        command.Validators.Add(result =>
        {
            var hasUrl = result.GetResult(url) is not null;
            var hasConfig = result.GetResult(config) is not null;
            if (hasUrl == hasConfig)
            {
                result.AddError("Give either --url (one heartbeat) or --config (a YAML file), not both and not neither.");
            }
            else if (hasConfig && (result.GetResult(check) is not null || result.GetResult(interval) is not null))
            {
                result.AddError("--interval and --check go with --url; in a config file set them per heartbeat.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var env = environment ?? CliEnvironment.Default;
            IReadOnlyList<HeartbeatSpec> specs;
            if (result.GetValue(config) is { } file)
            {
                try
                {
                    specs = AgentConfig.Load(file.FullName);
                }
                catch (AgentConfig.InvalidException ex)
                {
                    await env.Error.WriteLineAsync($"lifeline agent: the config file is not valid:{Environment.NewLine}{ex.Message}");
                    return InvalidConfig;
                }
            }
            else
            {
                var command = result.GetValue(check);
                var spec = new HeartbeatSpec(
                    "heartbeat",
                    new Uri(result.GetValue(url)!),
                    result.GetDuration(interval, AgentConfig.DefaultInterval)!.Value,
                    string.IsNullOrWhiteSpace(command) ? null : new CommandCheck(command, Min(AgentConfig.DefaultCheckTimeout, result.GetDuration(interval, AgentConfig.DefaultInterval)!.Value)));
                specs = [spec];
            }
            return await RunAsync(specs, env, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(IReadOnlyList<HeartbeatSpec> specs, CliEnvironment environment, CancellationToken cancellationToken)
    {
        using var http = LifelineHttp.Create();
        using var stop = StopSignals.Listen(cancellationToken);
        var sender = environment.CreateSender(http);
        var checks = new LocalChecks(http, environment.Time);
        var log = new ConsoleLog(environment.Error, environment.Time);
        var heartbeats = specs.Select(spec => Build(spec, sender, checks, environment.Time, log)).ToList();
        foreach (var spec in specs)
        {
            var kind = spec.Check switch
            {
                CommandCheck c => $", check: {c.Command}",
                UrlCheck u => $", check: GET {u.Url}",
                _ => "",
            };
            log.LogInformation("Heartbeat {Name}: to {Host} every {Interval}{Check}.", spec.Name, spec.Url.Host, Durations.Show(spec.Interval), kind);
        }
        await Task.WhenAll(heartbeats.Select(h => Task.Run(() => h.RunAsync(stop.Token), CancellationToken.None)));
        log.LogInformation("Stopped.");
        return Stopped;
    }

    internal static Heartbeat Build(HeartbeatSpec spec, IPushSender sender, LocalChecks checks, TimeProvider time, ILogger log)
    {
        bool? lastUp = null;
        async Task<PushRequest> NextRequest(CancellationToken cancellationToken)
        {
            var signal = await checks.RunAsync(spec.Check, cancellationToken);
            if (spec.Check is not null && lastUp != signal.Up)
            {
                log.LogInformation("Heartbeat {Name}: check says {State}: {Message}", spec.Name, signal.Up ? "up" : "down", signal.Message);
                lastUp = signal.Up;
            }
            return PushRequests.Signal(spec.Url, signal);
        }
        return new Heartbeat(spec.Name, spec.Interval, NextRequest, sender, time, log);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
