using Microsoft.Extensions.DependencyInjection;

namespace Lifeline.Server.Config;

/// <summary>Config as code: <c>lifeline serve --config file.yml</c>.</summary>
public static class ConfigServices
{
    /// <summary>
    /// Applies the config file (when one is configured) with the store open and before the host starts;
    /// throws <see cref="ConfigFileException"/> naming every problem. The host's start then skips it.
    /// </summary>
    public static Task ApplyConfigAtStartAsync(this IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<ConfigWorker>().ApplyAtStartAsync(ct);

    /// <summary>The applier, and the worker that applies the file at start (after the store opened) and on every change.</summary>
    internal static IServiceCollection AddConfigAsCode(this IServiceCollection services) =>
        services.AddSingleton<ConfigApplier>().AddSingleton<ConfigWorker>().AddHostedService(sp => sp.GetRequiredService<ConfigWorker>());
}
