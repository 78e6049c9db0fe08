using Lifeline.Checks;
using Lifeline.Checks.Rdap;
using Lifeline.Server.Endpoints;
using Lifeline.Server.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server;

/// <summary>The active checks' services: the probe library behind the sweep's port, the sweep, and the definition validator.</summary>
internal static class ChecksServices
{
    public static IServiceCollection AddActiveChecks(this IServiceCollection services)
    {
        services.AddOptions<ChecksOptions>().BindConfiguration(ChecksOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChecksOptions>, ChecksOptionsValidator>();
        services.AddSingleton<IMonitorValidator, CheckMonitorValidator>();
        services.AddSingleton<CheckLag>();
        services.AddSingleton(sp => new DomainExpiryLookup(sp.GetRequiredService<IOptions<ChecksOptions>>().Value.RdapOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ProbeHub>();
        services.AddSingleton<IActiveProbe>(sp => new QuorumProbe(
            new CheckRunnerProbe(new CheckRunner(sp.GetRequiredService<TimeProvider>(), domains: sp.GetRequiredService<DomainExpiryLookup>())),
            sp.GetRequiredService<IMonitorStore>(),
            sp.GetRequiredService<ProbeHub>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var checks = sp.GetRequiredService<IOptions<ChecksOptions>>().Value;
            return new ActiveCheckSweep(
                sp.GetRequiredService<IMonitorStore>(),
                sp.GetRequiredService<IActiveProbe>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<DispatchSignal>(),
                sp.GetRequiredService<CheckLag>(),
                new ActiveCheckOptions { Concurrency = checks.Concurrency, Canaries = checks.CanaryMonitors() },
                sp.GetRequiredService<ILogger<ActiveCheckSweep>>(),
                sp.GetService<StatusWatch>());
        });
        return services;
    }
}
