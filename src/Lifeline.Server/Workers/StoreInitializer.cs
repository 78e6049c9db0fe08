using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Lifeline.Server.Endpoints;
using Lifeline.Server.Security;

namespace Lifeline.Server.Workers;

/// <summary>
/// Runs before the server takes requests: opens the store (migrations), loads the ping key and
/// API keys, and prints a new admin key once when there is none.
/// </summary>
internal sealed class StoreInitializer(
    IStoreLifecycle lifecycle,
    ISettingsStore settings,
    ApiKeyGate gate,
    UserAccounts users,
    PingKey pingKey,
    ServerState state,
    IConfiguration configuration,
    ILogger<StoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var adminUser = configuration[UserAccounts.EnvironmentUser];
        var adminPassword = configuration[UserAccounts.EnvironmentPassword];
        // Bad values stop the start before the store is touched, naming the variable.
        if (UserAccounts.Problems(adminUser, adminPassword) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        await lifecycle.MigrateAsync(cancellationToken);
        state.StoreDescription = lifecycle.Describe();
        // A ping key given in the configuration (Lifeline:PingKey) wins, so slug URLs from another instance keep working.
        if (configuration["Lifeline:PingKey"] is { Length: > 0 } configured)
        {
            if (!Secrets.IsValidToken(configured))
            {
                throw new InvalidOperationException("Lifeline:PingKey must be 8-64 characters of A-Z, a-z, 0-9, '_' and '-'");
            }
            await settings.SetAsync("pingKey", configured, cancellationToken);
            pingKey.Set(configured);
        }
        else
        {
            pingKey.Set(await settings.GetOrAddAsync("pingKey", Secrets.NewPingKey(), cancellationToken));
        }
        var created = await gate.InitializeAsync(configuration[ApiKeyGate.EnvironmentKey], cancellationToken);
        if (created is not null)
        {
            // Printed once, never logged: only its hash is stored.
            Console.Out.WriteLine();
            Console.Out.WriteLine("  A new admin API key was created. It is shown only this once; keep it safe:");
            Console.Out.WriteLine();
            Console.Out.WriteLine($"      {created}");
            Console.Out.WriteLine();
            Console.Out.WriteLine("  Use it as:  Authorization: Bearer <key>   (or set LIFELINE_API_KEY to choose your own)");
            Console.Out.WriteLine();
            Console.Out.Flush();
        }
        if (await users.EnsureAdminAsync(adminUser, adminPassword, cancellationToken))
        {
            logger.LogInformation("Admin user {User} created from {Variable}", adminUser, UserAccounts.EnvironmentUser);
        }
        state.StoreOpen = true;
        logger.LogInformation("Store open: {Store}", state.StoreDescription);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
