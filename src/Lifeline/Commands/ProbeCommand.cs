using System.CommandLine;
using Lifeline.Checks;
using Lifeline.Cli.Client;
using Lifeline.Cli.Probe;
using Lifeline.Client.Push;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline probe</c>: runs the checks of one location for a Lifeline server, from wherever this
/// host is (CONTRACT §10). It only ever calls the server: enrols once with a location's one-time
/// token, keeps its credential in the spool folder, long-polls its assignments, runs them with the
/// server's own check code, and sends results in batches through an on-disk spool that survives
/// outages and restarts.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>0</term><description>stopped by SIGTERM or Ctrl+C</description></item>
///   <item><term>1</term><description>invalid arguments (including: not enrolled and no --token)</description></item>
///   <item><term>2</term><description>the enrol token or the saved credential was refused, or the credential file is unreadable</description></item>
/// </list>
/// </summary>
internal static class ProbeCommand
{
    public static Command Create(CliEnvironment? environment = null)
    {
        var server = new Option<string>("--server", "-s")
        {
            Description = "The Lifeline server's base URL, as this host reaches it (https://lifeline.example.com).",
            Required = true,
        };
        server.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is not null && !CliOptions.TryParseUrl(text, out _, out var error))
            {
                result.AddError($"--server: {error}.");
            }
        });
        var token = new Option<string?>("--token", "-t")
        {
            Description = "The location's one-time enrol token (from POST /api/v1/locations). Needed on the first start only.",
        };
        var spool = new Option<string>("--spool")
        {
            Description = "Folder for the credential, the last assignments and results not yet delivered.",
            DefaultValueFactory = _ => "probe-spool",
            HelpName = "dir",
        };
        var name = new Option<string?>("--name")
        {
            Description = "How this probe is named on the server when it enrols (default: the host name).",
        };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Checks running at the same time.",
            DefaultValueFactory = _ => 64,
        };
        concurrency.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--concurrency: must be from 1 to 10000.");
            }
        });
        var spoolMax = new Option<double>("--spool-max-mb")
        {
            Description = "The most the result spool may hold on disk, in MB; when full, the oldest results are dropped (and the loss logged).",
            DefaultValueFactory = _ => 100,
            HelpName = "MB",
        };
        spoolMax.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 0.01 and <= 1_000_000))
            {
                result.AddError("--spool-max-mb: must be from 0.01 to 1000000.");
            }
        });

        var command = new Command("probe", """
            Run the checks of a location for a Lifeline server until stopped (SIGTERM or Ctrl+C).
            The probe only calls the server (outbound HTTP(S)); nothing needs to reach it.

            On the first start it enrols with the location's one-time token and saves its credential
            in the spool folder (mode 0600); later starts reuse it and need no --token. Results are
            written to the spool first and sent in batches, so none are lost while the server is
            unreachable or the probe restarts.
            Exit codes: 0 stopped, 1 invalid arguments, 2 token or credential refused.

            Examples:
              # Create a location on the server and note its enrollToken:
              curl -H "Authorization: Bearer $KEY" -d '{"name":"eu-west"}' https://lifeline.example.com/api/v1/locations
              # First start on the probe host:
              lifeline probe --server https://lifeline.example.com --token 7Gq2... --spool /var/lib/lifeline-probe
              # Every later start:
              lifeline probe --server https://lifeline.example.com --spool /var/lib/lifeline-probe
            """)
        {
            server, token, spool, name, concurrency, spoolMax,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new ProbeSettings
            {
                Server = new Uri(result.GetValue(server)!),
                Token = result.GetValue(token),
                Spool = Path.GetFullPath(result.GetValue(spool)!),
                Name = string.IsNullOrWhiteSpace(result.GetValue(name)) ? System.Net.Dns.GetHostName() : result.GetValue(name)!.Trim(),
                Concurrency = result.GetValue(concurrency),
                SpoolMaxBytes = (long)(result.GetValue(spoolMax) * 1024 * 1024),
            };
            return await RunAsync(settings, environment ?? CliEnvironment.Default, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(ProbeSettings settings, CliEnvironment environment, CancellationToken cancellationToken)
    {
        using var http = LifelineHttp.Create();
        using var stop = StopSignals.Listen(cancellationToken);
        var log = new ConsoleLog(environment.Error, environment.Time);
        var checks = new CheckRunnerProbe(new CheckRunner(environment.Time));
        using var agent = new ProbeAgent(settings, checks, http, environment.Time, log);
        return await agent.RunAsync(stop.Token);
    }
}
