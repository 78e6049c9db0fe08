using Lifeline.Channels;
using Lifeline.Channels.Email;
using Lifeline.Channels.Telegram;
using Lifeline.Server.Telegram;
using Lifeline.Server.App;
using Lifeline.Server.Config;
using Lifeline.Server.Edits;
using Lifeline.Server.Endpoints;
using Lifeline.Server.Probes;
using Lifeline.Server.Healthchecks;
using Lifeline.Server.Security;
using Lifeline.Server.StatusPages;
using Lifeline.Server.Workers;
using Lifeline.Storage.Postgres;
using Lifeline.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server;

/// <summary>Builds the Lifeline web application, for <c>lifeline serve</c> and for tests.</summary>
public static class ServerHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <param name="args">Command-line style configuration (<c>--urls</c>, <c>--Lifeline:Data=...</c>).</param>
    /// <param name="configure">Last word on services, e.g. a test clock.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // Where to listen: --urls or ASPNETCORE_URLS, else the documented default.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        // Shed idle, slow and excess connections; never run out of file descriptors (KestrelLimits).
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();

        // Request paths carry push tokens: keep ASP.NET's per-request logs out of the console.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Options: code defaults, bound from "Lifeline", all problems reported at start.
        builder.Services.AddOptions<LifelineOptions>().BindConfiguration(LifelineOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LifelineOptions>, LifelineOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);

        AddStore(builder.Services);
        AddCore(builder.Services, builder.Configuration);
        AddChannels(builder.Services, builder.Configuration);
        builder.Services.AddActiveChecks();

        // Security and server facts.
        builder.Services.AddSingleton<ApiKeyGate>();
        builder.Services.AddSingleton<UserAccounts>();
        builder.Services.AddSingleton<SessionCheck>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<PingKey>();
        builder.Services.AddSingleton<PushGuard>();
        builder.Services.AddSingleton<ServerState>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ApiDialectPolicy>());

        // Writes shared by the admin API and the app: one set of input rules for both.
        builder.Services.AddSingleton<MonitorWrites>().AddSingleton<ChannelWrites>().AddSingleton<MaintenanceWrites>().AddSingleton<StatusPageWrites>();

        // Workers: the store opens before anything else runs.
        builder.Services.AddHostedService<StoreInitializer>();
        // Config as code (--config): applied once the store is open, before the sweeps, then on every change of the file.
        builder.Services.AddConfigAsCode();
        // Checks in before the sweeps start, and leaves after they stop.
        builder.Services.AddHostedService<ClusterWorker>();
        builder.Services.AddHostedService<TelegramBotWorker>();
        builder.Services.AddHostedService<SchedulerWorker>();
        builder.Services.AddHostedService<ActiveCheckWorker>();
        builder.Services.AddHostedService<DispatchWorker>();
        // The app after the store's initializer: its key ring (data protection) lives in the store.
        builder.Services.AddApp();

        configure?.Invoke(builder.Services);

        var app = builder.Build();

        // Never a stack trace: unexpected failures answer a plain JSON 500.
        // ASP.NET's own log of the failure is suppressed: the handler logs a real bug once, with its
        // stack trace, and a storage failure not at all (the store logs that once per outage).
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = _ => true,
            ExceptionHandler = async context =>
            {
                var feature = context.Features.Get<IExceptionHandlerFeature>();
                if (feature?.Error is StoreUnavailableException unavailable)
                {
                    // A full disk or a lost database: nothing was stored, and trying later may work.
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = "5";
                    await context.Response.WriteAsJsonAsync(new { error = unavailable.Message });
                    return;
                }
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Lifeline.Server")
                    .LogError(feature?.Error, "Unhandled error on {Method} {Route}", context.Request.Method, (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText);
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new { error = "internal error; see the server log" });
            },
        });
        // Routing after the handler, so routing failures are caught too.
        app.UseRouting();
        app.UseApp();

        app.MapHealth();
        app.MapPush();
        app.MapGroup("/api/v1")
            .AddEndpointFilter<ApiKeyFilter>()
            .MapMonitors()
            .MapChecks()
            .MapChannels()
            .MapStatus()
            .MapKeys()
            .MapUsers()
            .MapMaintenance()
            .MapStatusPages()
            .MapLocations();
        // Probes authenticate with their own credential, not an API key.
        app.MapProbeApi();
        // Public status pages and badges, no sign-in, served from a cache.
        app.MapPublicStatus();
        // Healthchecks' Management API beside Lifeline's own; shared paths go by the auth header.
        app.MapHealthchecks();
        app.MapApp();
        return app;
    }

    private static void AddStore(IServiceCollection services)
    {
        // This server as a node of a cluster, and the monitors it sweeps.
        services.AddSingleton<NodeShare>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LifelineOptions>>().Value;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            return new NodeInfo(Secrets.NewId(), NodeAddress(options, sp.GetRequiredService<IConfiguration>()), ServerState.Version, now, now);
        });

        // PostgreSQL when a connection string is given (any number of nodes), else SQLite (one).
        services.AddKeyedSingleton<object>(StoreKey, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptions<LifelineOptions>>().Value;
            var clock = sp.GetRequiredService<TimeProvider>();
            if (!string.IsNullOrEmpty(options.Postgres))
            {
                var postgres = new PostgresOptions
                {
                    ConnectionString = options.Postgres,
                    EventsKept = options.EventsKept,
                    NodeId = sp.GetRequiredService<NodeInfo>().Id,
                    NodeTimeout = TimeSpan.FromSeconds(options.ClusterLeaseSeconds),
                };
                return new PostgresStore(postgres, clock, sp.GetRequiredService<ILogger<PostgresStore>>(), sp.GetRequiredService<NodeShare>());
            }
            var sqlite = new SqliteOptions
            {
                Path = Path.Combine(options.Data, "lifeline.db"),
                Durability = Enum.Parse<Durability>(options.Durability, ignoreCase: true),
                EventsKept = options.EventsKept,
            };
            return new SqliteStore(sqlite, clock, sp.GetRequiredService<ILogger<SqliteStore>>());
        });
        static T Port<T>(IServiceProvider sp) => (T)sp.GetRequiredKeyedService<object>(StoreKey);
        services.AddSingleton(Port<IMonitorStore>);
        services.AddSingleton(Port<IChannelStore>);
        services.AddSingleton(Port<IOutboxStore>);
        services.AddSingleton(Port<ISettingsStore>);
        services.AddSingleton(Port<ICheckHistoryStore>);
        services.AddSingleton(Port<IStoreLifecycle>);
        services.AddSingleton(Port<IStoreHealth>);
        services.AddSingleton(Port<IClusterStore>);
        services.AddSingleton(Port<IDependencyStore>);
        services.AddSingleton(Port<IMaintenanceStore>);
        services.AddSingleton(Port<IStatusPageStore>);
        services.AddSingleton(Port<IMonitorOverviewStore>);
        services.AddSingleton(Port<IUserStore>);
        services.AddSingleton(Port<ILocationStore>);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LifelineOptions>>().Value;
            return new ClusterOptions
            {
                LeaseTtl = TimeSpan.FromSeconds(options.ClusterLeaseSeconds),
                CheckInEvery = TimeSpan.FromSeconds(options.ClusterCheckInSeconds),
                // Pruning once is enough; a bot without a token polls nowhere.
                Singletons = sp.GetRequiredService<TelegramBotOptions>().Enabled
                    ? [SchedulerWorker.HousekeepingLease, TelegramBotWorker.Lease]
                    : [SchedulerWorker.HousekeepingLease],
            };
        });
        services.AddSingleton<ClusterCoordinator>();
    }

    /// <summary>This node's address for the nodes list: the configured one, else the first listen URL with the host name for a wildcard.</summary>
    private static string NodeAddress(LifelineOptions options, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(options.NodeAddress))
        {
            return options.NodeAddress.Trim();
        }
        var host = Environment.MachineName.ToLowerInvariant();
        return FirstListenUrl(configuration, host).Replace("://[::]", "://" + host, StringComparison.Ordinal);
    }

    /// <summary>The first URL the server listens on, with <paramref name="host"/> for a wildcard host and no trailing slash.</summary>
    private static string FirstListenUrl(IConfiguration configuration, string host) =>
        (configuration[WebHostDefaults.ServerUrlsKey] ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries)[0]
            .Replace("://*", "://" + host, StringComparison.Ordinal)
            .Replace("://+", "://" + host, StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://" + host, StringComparison.Ordinal)
            .TrimEnd('/');

    /// <summary>The key of the one store instance behind every store port.</summary>
    private const string StoreKey = "Lifeline.Store";

    private static void AddCore(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LifelineMetrics>();
        services.AddSingleton<SchedulerPulse>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<Ingestor>();
        services.AddSingleton<DeadlineSweep>();
        services.AddSingleton(sp => new DependencySweep(
            sp.GetRequiredService<IMonitorStore>(), sp.GetRequiredService<IDependencyStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<DispatchSignal>())
        {
            Wait = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<LifelineOptions>>().Value.DependencyWaitSeconds),
        });
        services.AddSingleton<OutageAmnesty>();
        services.AddSingleton<MaintenanceSweep>();
        services.AddSingleton<MaintenanceLookup>();
        services.AddSingleton<StatusWatch>();
        services.AddSingleton<StatusViews>();
        services.AddSingleton<BadgeSource>();
        services.AddSingleton<PublicCache>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LifelineOptions>>().Value;
            return new DispatchOptions
            {
                PublicUrl = PublicUrl(options, configuration),
                MaxConcurrency = options.DispatchConcurrency,
                SendTimeout = TimeSpan.FromMilliseconds(options.DispatchTimeoutMs),
                GroupWindow = TimeSpan.FromSeconds(options.NoticeGroupSeconds),
            };
        });
        services.AddSingleton<OutboxDispatcher>();
    }

    private static void AddChannels(IServiceCollection services, ConfigurationManager configuration)
    {
        var smtp = configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions();
        var telegram = configuration.GetSection(TelegramBotOptions.Section).Get<TelegramBotOptions>() ?? new TelegramBotOptions();
        // SMTP is optional: checked only once someone configures it.
        var smtpConfigured = !string.IsNullOrWhiteSpace(smtp.Host) || !string.IsNullOrWhiteSpace(smtp.From);
        var problems = (smtpConfigured ? smtp.Problems() : []).Concat(telegram.Problems()).ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(LifelineOptions.Section, typeof(LifelineOptions), problems);
        }
        services.AddSingleton(smtp);
        services.AddSingleton(telegram);

        // Senders are made once (their rate gates live in them) over one client with no logging
        // handlers (URLs carry tokens) and no retry handler (the dispatcher owns retries).
        services.AddSingleton(_ => ChannelCatalog.CreateHttpClient(version: ServerState.Version));
        services.AddSingleton<IEnumerable<INoticeChannel>>(sp =>
            ChannelCatalog.Create(sp.GetRequiredService<HttpClient>(), sp.GetRequiredService<TimeProvider>(), smtp));

        // The Telegram bot answers /status, /down, /pause, /resume in allowed chats.
        services.AddSingleton<IBotBackend, BotBackend>();
        services.AddSingleton<IBotOffsetStore, BotOffsetStore>();
    }

    /// <summary>The base for links in notices: the configured public URL, else the first listen URL.</summary>
    private static string PublicUrl(LifelineOptions options, IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(options.PublicUrl))
        {
            return options.PublicUrl.TrimEnd('/');
        }
        return FirstListenUrl(configuration, "localhost");
    }
}
