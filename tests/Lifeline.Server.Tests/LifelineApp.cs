using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Tests;

/// <summary>
/// The server built by <see cref="ServerHost"/>, listening on a random loopback port, with a
/// real SQLite file in a temp folder (or a fresh PostgreSQL database) and a manual clock.
/// </summary>
public sealed class LifelineApp : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    /// <summary>The admin user every app starts with (from LIFELINE_ADMIN_USER / LIFELINE_ADMIN_PASSWORD), unless started with <see cref="NoAdminUser"/>.</summary>
    public const string AdminUser = "admin";
    public const string AdminPassword = "test-admin-password";

    /// <summary>Arguments that start the app with no user at all (first-run setup).</summary>
    public static readonly string[] NoAdminUser = ["--LIFELINE_ADMIN_USER=", "--LIFELINE_ADMIN_PASSWORD="];

    /// <summary>A viewer that <see cref="AddViewerAsync"/> creates.</summary>
    public const string ViewerUser = "viewer";
    public const string ViewerPassword = "test-viewer-password";

    private readonly WebApplication _app;

    private LifelineApp(WebApplication app, ManualClock clock, string folder, Uri baseUri, ErrorLog errors)
    {
        Errors = errors;
        _app = app;
        Clock = clock;
        Folder = folder;
        BaseUri = baseUri;
        Anonymous = new HttpClient { BaseAddress = baseUri };
        Admin = new HttpClient { BaseAddress = baseUri };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public ManualClock Clock { get; }
    /// <summary>Everything the server logged at Error or above.</summary>
    public ErrorLog Errors { get; }
    public string Folder { get; }
    public Uri BaseUri { get; }
    public HttpClient Anonymous { get; }
    public HttpClient Admin { get; }

    public static Task<LifelineApp> StartAsync(params string[] extraArgs) => StartAsync(logs: null, extraArgs);

    /// <summary>The same server on a fresh database of the test PostgreSQL server (dropped when the app is disposed).</summary>
    public static async Task<LifelineApp> StartOnPostgresAsync(params string[] extraArgs)
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        try
        {
            var app = await StartAsync(logs: null, [$"--Lifeline:Postgres={database.ConnectionString}", .. extraArgs]);
            app._database = database;
            return app;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private PostgresDatabase? _database;

    /// <summary>The database of a server started on PostgreSQL; null on SQLite.</summary>
    public string? PostgresConnectionString => _database?.ConnectionString;

    /// <param name="logs">When given, also receives everything the server logs, down to Trace.</param>
    public static async Task<LifelineApp> StartAsync(ILoggerProvider? logs, params string[] extraArgs)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var clock = new ManualClock();
        var errors = new ErrorLog();
        // Every test talks over loopback: the push 404 limit would count them all as one client.
        string[] args = ["--urls=http://127.0.0.1:0", $"--Lifeline:Data={folder}", $"--LIFELINE_API_KEY={AdminKey}",
            $"--LIFELINE_ADMIN_USER={AdminUser}", $"--LIFELINE_ADMIN_PASSWORD={AdminPassword}", "--Lifeline:RateLimitLoopback=false", .. extraArgs];
        var app = ServerHost.Build(args, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddLogging(logging =>
            {
                logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Trace).AddProvider(errors);
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            });
        });
        await app.StartAsync();
        // Ready as the real process is once /healthz passes: the scheduler has made its first pass
        // (on a busy machine, or on PostgreSQL, that can come a moment after the start).
        var pulse = app.Services.GetRequiredService<SchedulerPulse>();
        await Eventually.GetAsync(() => Task.FromResult(pulse.LastTickAt is not null), ticked => ticked, TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LifelineApp(app, clock, folder, new Uri(address.TrimEnd('/') + "/"), errors);
    }

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Runs the deadline sweep now, as the scheduler would on its next tick.</summary>
    public Task SweepAsync() => Service<DeadlineSweep>().SweepOnceAsync(CancellationToken.None);

    /// <summary>
    /// Waits until every send in flight has its outcome recorded. Call it before moving the clock
    /// past a notice a receiver already has: send timeouts run on this clock, and a jump past one
    /// would time out a send whose answer is still on its way.
    /// </summary>
    public Task SendsSettledAsync() => Service<OutboxDispatcher>().WhenIdleAsync();

    public async Task<JsonObject> CreateMonitorAsync(object body)
    {
        using var response = await Admin.PostAsJsonAsync("api/v1/monitors", body);
        var json = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(201, json);
        return JsonNode.Parse(json)!.AsObject();
    }

    public async Task<string> CreateWebhookAsync(string url, string? secret = null)
    {
        using var response = await Admin.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "hook", url, secret });
        var json = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(201, json);
        return JsonNode.Parse(json)!["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Admin.GetAsync(path);
        var json = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(json);
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>An admin GET answering a JSON array (the unpaged lists).</summary>
    public async Task<JsonArray> GetArrayAsync(string path)
    {
        using var response = await Admin.GetAsync(path);
        var json = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(json);
        return JsonNode.Parse(json)!.AsArray();
    }

    /// <summary>Creates the user <see cref="ViewerUser"/> (a viewer) unless it exists; returns its id.</summary>
    public async Task<string> AddViewerAsync()
    {
        var users = await GetArrayAsync("api/v1/users");
        if (users.FirstOrDefault(u => u!["username"]!.GetValue<string>() == ViewerUser) is { } existing)
        {
            return existing["id"]!.GetValue<string>();
        }
        using var response = await Admin.PostAsJsonAsync("api/v1/users", new { username = ViewerUser, password = ViewerPassword, role = "viewer" });
        var json = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(201, json);
        return JsonNode.Parse(json)!["id"]!.GetValue<string>();
    }

    public async Task<string> StatusOfAsync(string id) => (await GetJsonAsync($"api/v1/monitors/{id}"))["status"]!.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
