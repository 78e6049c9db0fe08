using System.CommandLine;
using Lifeline.Cli.Client;
using Lifeline.Cli.Import;
using Lifeline.Client.Admin;
using Lifeline.Client.Push;
using Spectre.Console;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline import uptime-kuma|healthchecks|gatus</c>: reads another tool's monitors and
/// alerting, shows what each item becomes, and with <c>--apply</c> creates it through a running
/// server's admin API, keeping push tokens, Healthchecks UUIDs and slugs.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>0</term><description>the plan was shown (dry run), or everything mappable is on the server</description></item>
///   <item><term>1</term><description>invalid arguments, or the source cannot be read</description></item>
///   <item><term>2</term><description>the Lifeline server is unreachable or refused the API key</description></item>
///   <item><term>3</term><description>applied, but the server refused some items (the table says which and why)</description></item>
/// </list>
/// </summary>
internal static class ImportCommand
{
    public const int Done = 0;
    public const int InvalidInput = 1;
    public const int ServerRefused = 2;
    public const int SomeFailed = 3;

    /// <param name="output">Where the table goes (tests); null is the terminal.</param>
    /// <param name="error">Where errors go (tests); null is standard error.</param>
    public static Command Create(TextWriter? output = null, TextWriter? error = null) =>
        new("import", """
            Move in from Uptime Kuma, Healthchecks or Gatus. Shows a table of each item of the source, what it
            becomes in Lifeline, and what cannot be carried over and why; nothing is written without --apply.
            With --apply it is created through a running Lifeline server's API. Push tokens, Healthchecks UUIDs
            and slugs are kept, so existing clients only change the host. Running it again changes nothing:
            items the server already has (same push token, slug, or kind and name) are left as they are.
            Exit codes: 0 done, 1 invalid arguments or unreadable source, 2 server unreachable or key refused,
            3 the server refused some items.
            """)
        {
            Source("uptime-kuma", """
                Import an Uptime Kuma database (kuma.db): monitors (http, keyword, json-query, port, dns, push),
                notifications, which monitors alert which, and tags. Stop Kuma or copy the file first.

                Examples:
                  lifeline import uptime-kuma --db ./kuma.db
                  lifeline import uptime-kuma --db ./kuma.db --apply --server https://lifeline.example.com --key "$KEY"
                """, output, error, new Option<string>("--db") { Description = "The Uptime Kuma database file (data/kuma.db)", HelpName = "kuma.db", Required = true },
                (result, options, _) => Task.FromResult(KumaReader.Read(result.GetValue((Option<string>)options[0])!))),
            Source("healthchecks", """
                Import a Healthchecks project through its Management API (v3): each check becomes a push monitor
                with its UUID as token (so /ping/<uuid> keeps working), its slug, period or cron schedule and
                time zone, grace, tags and description. Use the project's read-write API key.

                Examples:
                  lifeline import healthchecks --url https://healthchecks.io --api-key "$HC_KEY"
                  lifeline import healthchecks --url https://hc.example.com --api-key "$HC_KEY" --apply --server https://lifeline.example.com --key "$KEY"
                """, output, error, new Option<string>("--url") { Description = "The Healthchecks site, for example https://healthchecks.io", HelpName = "base url", Required = true },
                async (result, options, ct) =>
                {
                    var url = result.GetValue((Option<string>)options[0])!;
                    if (!CliOptions.TryParseUrl(url, out var baseUrl, out var problem))
                    {
                        throw new ImportSourceException("--url: " + problem);
                    }
                    using var http = LifelineHttp.Create();
                    http.Timeout = TimeSpan.FromSeconds(30);
                    return await HealthchecksReader.ReadAsync(http, baseUrl, result.GetValue((Option<string>)options[1])!, ct);
                },
                new Option<string>("--api-key") { Description = "The Healthchecks project's read-write API key", HelpName = "key", Required = true }),
            Source("gatus", """
                Import a Gatus configuration: endpoints (http, tcp, tls, dns) become active monitors with their
                interval, conditions, method, headers and body; alerting providers become channels, and each
                endpoint's alerts link it to them. ${VAR} references are read from the environment, as Gatus does.

                Examples:
                  lifeline import gatus --config ./config.yaml
                  lifeline import gatus --config ./config.yaml --apply --server https://lifeline.example.com --key "$KEY"
                """, output, error, new Option<string>("--config") { Description = "The Gatus configuration file", HelpName = "config.yaml", Required = true },
                (result, options, _) => Task.FromResult(GatusReader.Read(result.GetValue((Option<string>)options[0])!))),
        };

    private delegate Task<ImportPlan> ReadSource(ParseResult result, IReadOnlyList<Option> options, CancellationToken ct);

    private static Command Source(string name, string description, TextWriter? output, TextWriter? error, Option<string> first, ReadSource read, params Option<string>[] more)
    {
        var apply = new Option<bool>("--apply") { Description = "Create it on the server (without it, only show what would be done)" };
        var server = new Option<string?>("--server") { Description = "The Lifeline server (or env LIFELINE_URL)", HelpName = "url" };
        server.MustBeUrl();
        var key = new Option<string?>("--key") { Description = "An admin API key of that server (or env LIFELINE_API_KEY)", HelpName = "api key" };
        Option[] sourceOptions = [first, .. more];
        var command = new Command(name, description);
        foreach (var option in sourceOptions)
        {
            command.Options.Add(option);
        }
        command.Options.Add(apply);
        command.Options.Add(server);
        command.Options.Add(key);
        command.SetAction(async (result, ct) =>
        {
            var console = CreateConsole(output);
            var errors = error ?? Console.Error;
            ImportPlan plan;
            try
            {
                plan = await read(result, sourceOptions, ct);
            }
            catch (ImportSourceException ex)
            {
                await errors.WriteLineAsync($"lifeline import {name}: {ex.Message}");
                return InvalidInput;
            }
            if (!result.GetValue(apply))
            {
                ShowPlan(console, plan, null);
                var channels = plan.Items.Count(i => i.Channel is not null);
                var monitors = plan.Items.Count(i => i.Monitor is not null);
                console.WriteLine();
                console.MarkupLine($"Dry run: nothing was written. [bold]--apply[/] creates {channels} channel(s) and {monitors} monitor(s) (those the server does not have yet) through --server with --key.");
                return Done;
            }
            var serverUrl = result.GetValue(server) ?? Environment.GetEnvironmentVariable("LIFELINE_URL");
            var apiKey = result.GetValue(key) ?? Environment.GetEnvironmentVariable("LIFELINE_API_KEY");
            if (string.IsNullOrWhiteSpace(serverUrl) || !CliOptions.TryParseUrl(serverUrl, out var serverUri, out _))
            {
                await errors.WriteLineAsync($"lifeline import {name}: --apply needs the Lifeline server: --server <url> or LIFELINE_URL (an http:// or https:// URL)");
                return InvalidInput;
            }
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                await errors.WriteLineAsync($"lifeline import {name}: --apply needs an admin API key: --key <api key> or LIFELINE_API_KEY");
                return InvalidInput;
            }
            using var client = new LifelineClient(serverUri, apiKey);
            IReadOnlyList<ImportResult> results;
            try
            {
                results = await ApplyAsync(console, new ImportApplier(client), plan, ct);
            }
            catch (LifelineApiException ex)
            {
                var why = ex.StatusCode switch
                {
                    401 => "refused the API key (401)",
                    403 => "refused the API key: it is read-only (403)",
                    _ => $"answered {ex.StatusCode}: {ex.Error}",
                };
                await errors.WriteLineAsync($"lifeline import {name}: the Lifeline server at {serverUri.Host} {why}");
                return ServerRefused;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                await errors.WriteLineAsync($"lifeline import {name}: cannot reach the Lifeline server at {serverUri}: {ex.Message}");
                return ServerRefused;
            }
            ShowPlan(console, plan, results);
            console.WriteLine();
            int Count(ImportOutcome outcome) => results.Count(r => r.Outcome == outcome);
            console.WriteLine($"{Count(ImportOutcome.Created)} created, {Count(ImportOutcome.Unchanged)} unchanged (already on the server), {Count(ImportOutcome.NotImported)} not imported, {Count(ImportOutcome.Failed)} refused by the server.");
            if (Count(ImportOutcome.Failed) > 0)
            {
                await errors.WriteLineAsync($"lifeline import {name}: the server refused {Count(ImportOutcome.Failed)} item(s); the table says why. Fix them and run the same command again.");
                return SomeFailed;
            }
            return Done;
        });
        return command;
    }

    /// <summary>Applies the plan, with a progress bar on a terminal (imports of hundreds of items take a while).</summary>
    private static async Task<IReadOnlyList<ImportResult>> ApplyAsync(IAnsiConsole console, ImportApplier applier, ImportPlan plan, CancellationToken ct)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await applier.ApplyAsync(plan, null, ct);
        }
        IReadOnlyList<ImportResult> results = [];
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"Importing into Lifeline", maxValue: Math.Max(1, plan.Items.Count));
                results = await applier.ApplyAsync(plan, _ => task.Increment(1), ct);
            });
        return results;
    }

    private static void ShowPlan(IAnsiConsole console, ImportPlan plan, IReadOnlyList<ImportResult>? results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"From {plan.Source}");
        table.AddColumn("Source item");
        table.AddColumn("Becomes in Lifeline");
        table.AddColumn("Not carried over, and why");
        if (results is not null)
        {
            table.AddColumn("Result");
        }
        var mappedChannels = plan.Items.Where(i => i.Channel is not null && i.Key is not null).Select(i => i.Key!).ToHashSet(StringComparer.Ordinal);
        foreach (var item in plan.Items)
        {
            var notes = new List<string>(item.Notes);
            if (item.Skipped is not null)
            {
                notes.Insert(0, item.Skipped);
            }
            var unlinked = item.ChannelKeys.Where(k => !mappedChannels.Contains(k)).ToList();
            if (item.Monitor is not null && unlinked.Count > 0)
            {
                var names = unlinked.Select(k => plan.Items.FirstOrDefault(i => i.Key == k)?.Source ?? k);
                notes.Add($"not linked to {string.Join(", ", names)}, which is not imported");
            }
            var row = new List<string>
            {
                Markup.Escape($"{item.Source} ({item.SourceType})"),
                item.Skipped is null ? Markup.Escape(item.Becomes) : "[yellow]not imported[/]",
                Markup.Escape(string.Join("; ", notes)),
            };
            if (results?.FirstOrDefault(r => ReferenceEquals(r.Item, item)) is { } result)
            {
                row.Add(result.Outcome switch
                {
                    ImportOutcome.Created => "[green]created[/]",
                    ImportOutcome.Unchanged => "unchanged",
                    ImportOutcome.Failed => "[red]refused:[/] " + Markup.Escape(result.Error ?? ""),
                    _ => "-",
                });
            }
            table.AddRow([.. row]);
        }
        console.Write(table);
        foreach (var remark in plan.Remarks)
        {
            console.MarkupLine("[bold]Note:[/] " + Markup.Escape(remark));
        }
    }

    /// <summary>A console for the table: the terminal as it is, or plain text for a file, a pipe or a test.</summary>
    private static IAnsiConsole CreateConsole(TextWriter? output)
    {
        var plain = output is not null || Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output ?? Console.Out),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (plain)
        {
            // A file or a pipe has no width: wide enough that tokens and URLs stay on one line.
            console.Profile.Width = 200;
        }
        return console;
    }
}
