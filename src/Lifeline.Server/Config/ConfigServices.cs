using Microsoft.Extensions.DependencyInjection;

namespace Lifeline.Server.Config;

/// <summary>Config as code: <c>lifeline serve --config file.yml</c>.</summary>
internal static class ConfigServices
{
    /// <summary>The applier, and the worker that applies the file at start (after the store opened) and on every change.</summary>
    public static IServiceCollection AddConfigAsCode(this IServiceCollection services) =>
        services.AddSingleton<ConfigApplier>().AddHostedService<ConfigWorker>();
}
