using System.CommandLine;
using Lifeline.Server;
using Lifeline.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline serve</c>: runs the server until SIGTERM or Ctrl+C.
/// Exit codes: 0 stopped cleanly; 1 failed while running; 2 bad configuration or a refused start
/// (data folder in use, database empty or damaged, anything else that fails before requests are taken).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Where to listen, e.g. http://0.0.0.0:5080 [default: {ServerHost.DefaultUrl}]" };
        var data = new Option<string?>("--data") { Description = "Data folder; SQLite lives in <data>/lifeline.db [default: ./data]" };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (or env LIFELINE_POSTGRES); replaces SQLite" };
        var publicUrl = new Option<string?>("--public-url") { Description = "Base URL shown in push URLs and notices, e.g. https://lifeline.example.com" };
        var config = new Option<string?>("--config") { Description = "YAML file declaring monitors, channels and status pages (or a Gatus endpoints: list), applied at start and on every change" };
        var command = new Command("serve", """
            Run the Lifeline server: dashboard, admin API (/api/v1) and push endpoints (/api/push, /ping).

            Every option can also be set as configuration Lifeline:<Name> or environment Lifeline__<Name>.
            On first start, when LIFELINE_API_KEY is not set, an admin API key is printed once.

            Examples:
              lifeline serve
              lifeline serve --urls http://0.0.0.0:8080 --data /var/lib/lifeline --public-url https://status.example.com
              lifeline serve --config lifeline.yml
            """)
        {
            urls, data, postgres, publicUrl, config,
        };
        // Anything else (ASP.NET options such as --environment) goes to the host as it is.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, ct) =>
        {
            var args = new List<string>(result.UnmatchedTokens);
            void Pass(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    args.Add($"--{key}={value}");
                }
            }
            Pass("urls", result.GetValue(urls));
            Pass("Lifeline:Data", result.GetValue(data));
            Pass("Lifeline:Postgres", result.GetValue(postgres) ?? Environment.GetEnvironmentVariable("LIFELINE_POSTGRES"));
            Pass("Lifeline:PublicUrl", result.GetValue(publicUrl));
            Pass("Lifeline:Config", result.GetValue(config));
            var started = false;
            try
            {
                await using var app = ServerHost.Build([.. args]);
                app.Lifetime.ApplicationStarted.Register(() => started = true);
                // A bad first admin is one plain line, before the store is touched.
                if (UserAccounts.Problems(app.Configuration[UserAccounts.EnvironmentUser], app.Configuration[UserAccounts.EnvironmentPassword]) is { } adminProblem)
                {
                    await Console.Error.WriteLineAsync($"lifeline: {adminProblem}");
                    return 2;
                }
                // Open the store before the host starts, so that a folder in use or a damaged database
                // is one plain line below rather than the host's start-failure log with a stack trace.
                await app.Services.GetRequiredService<IStoreLifecycle>().MigrateAsync(ct);
                // The config file likewise: every problem in one message, before the server starts.
                await Lifeline.Server.Config.ConfigServices.ApplyConfigAtStartAsync(app.Services, ct);
                await app.RunAsync();
                return 0;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync("lifeline: invalid configuration:\n  " + string.Join("\n  ", ex.Failures));
                return 2;
            }
            catch (Exception ex) when (Find<Lifeline.Server.Config.ConfigFileException>(ex) is { } config)
            {
                // Every problem of the config file, each with its file:line:col.
                await Console.Error.WriteLineAsync($"lifeline: {config.Message}");
                return 2;
            }
            catch (Exception ex) when (Find<StoreStartException>(ex) is { } refused)
            {
                // A data folder in use, an empty or damaged database.
                await Console.Error.WriteLineAsync($"lifeline: {refused.Message}");
                return 2;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains(Lifeline.Server.Security.ApiKeyGate.EnvironmentKey, StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"lifeline: {ex.Message}");
                return 2;
            }
            catch (Exception ex) when (!started && ex is not OperationCanceledException)
            {
                // Anything else before the server took requests: a start problem, told plainly.
                await Console.Error.WriteLineAsync($"lifeline: cannot start: {ex.Message}");
                return 2;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"lifeline: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The exception of type <typeparamref name="T"/> in <paramref name="ex"/> or what it wraps (host start failures come aggregated).</summary>
    private static T? Find<T>(Exception ex) where T : Exception => ex switch
    {
        T found => found,
        AggregateException many => many.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null),
        { InnerException: { } inner } => Find<T>(inner),
        _ => null,
    };
}
