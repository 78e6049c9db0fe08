using Lifeline.Client.Hosting;
using Lifeline.Client.Push;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Extension methods for IServiceCollection conventionally live in its namespace so they show up without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lifeline's heartbeat and health-report publishing.</summary>
public static class LifelineServiceCollectionExtensions
{
    /// <summary>
    /// Beats "up" to <paramref name="pushUrl"/> every <paramref name="interval"/> while the app
    /// runs (a hosted service). Call once per monitor. Uses the <see cref="TimeProvider"/> and
    /// <see cref="ILoggerFactory"/> registered in the container when there are any.
    /// </summary>
    /// <example><code>builder.Services.AddLifelineHeartbeat("https://lifeline.example.com/api/push/abc123", TimeSpan.FromMinutes(1));</code></example>
    public static IServiceCollection AddLifelineHeartbeat(this IServiceCollection services, string pushUrl, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(services);
        var url = ParseUrl(pushUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        services.AddSingleton<IHostedService>(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Lifeline.Client.Heartbeat");
            var sender = new PushSender(LifelineHttp.Shared, time);
            return new HeartbeatService(Heartbeat.Plain(url, interval, sender, time, logger));
        });
        return services;
    }

    /// <summary>
    /// Publishes every health report (see <c>AddHealthChecks()</c>) to <paramref name="pushUrl"/>:
    /// Healthy and Degraded as up, Unhealthy as down with the failing checks in the message.
    /// <paramref name="period"/> sets how often reports are made (the framework's default is 30 seconds);
    /// make the monitor's period on the server a little longer.
    /// </summary>
    /// <example><code>builder.Services.AddHealthChecks().AddCheck("db", ...);
    /// builder.Services.AddLifelineHealthCheckPublisher("https://lifeline.example.com/api/push/abc123", TimeSpan.FromMinutes(1));</code></example>
    public static IServiceCollection AddLifelineHealthCheckPublisher(this IServiceCollection services, string pushUrl, TimeSpan? period = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var url = ParseUrl(pushUrl);
        if (period is { } every)
        {
            services.Configure<HealthCheckPublisherOptions>(options => options.Period = every);
        }
        services.AddSingleton<IHealthCheckPublisher>(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var sender = new PushSender(LifelineHttp.Shared, time);
            var retryFor = period is { } p && p < TimeSpan.FromSeconds(20) ? p / 2 : TimeSpan.FromSeconds(10);
            return new LifelineHealthCheckPublisher(url, sender, retryFor, sp.GetService<ILogger<LifelineHealthCheckPublisher>>());
        });
        return services;
    }

    private static Uri ParseUrl(string pushUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pushUrl);
        if (!Uri.TryCreate(pushUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{pushUrl}' is not an absolute http(s) URL.", nameof(pushUrl));
        }
        return url;
    }
}
