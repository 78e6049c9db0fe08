using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Tests;

/// <summary>Secrets given to monitors and channels never reach the log, even at its most detailed level.</summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
    private static readonly string[] Secrets =
    [
        "log-user-pass", "log-query-secret", "log-header-secret", "log-body-secret",
        "log-hook-path", "log-signing-secret", "123456:log-bot-secret", "log-routing-secret",
    ];

    private readonly CapturingLogs _logs = new();
    private LifelineApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await LifelineApp.StartAsync(_logs);
        _admin = _app.Admin;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Check_credentials_and_channel_secrets_stay_out_of_the_log_through_saving_reading_checking_and_delivering()
    {
        using var hook = await _admin.PostAsJsonAsync("api/v1/channels", new { kind = "webhook", name = "hook", url = "http://127.0.0.1:1/log-hook-path", secret = "log-signing-secret" });
        using var bot = await _admin.PostAsJsonAsync("api/v1/channels", new { kind = "telegram", name = "tg", botToken = "123456:log-bot-secret", chatId = "42", apiBase = "http://127.0.0.1:1/" });
        using var pager = await _admin.PostAsJsonAsync("api/v1/channels", new { kind = "pagerduty", name = "pd", routingKey = "log-routing-secret", apiBase = "http://127.0.0.1:1/" });
        var channelIds = new List<string>();
        foreach (var created in new[] { hook, bot, pager })
        {
            var json = await created.Content.ReadAsStringAsync();
            ((int)created.StatusCode).ShouldBe(201, json);
            channelIds.Add(JsonNode.Parse(json)!["id"]!.GetValue<string>());
        }
        using var monitor = await _admin.PostAsJsonAsync("api/v1/monitors", new
        {
            name = "api",
            kind = "http",
            target = "http://probe:log-user-pass@127.0.0.1:1/health?token=log-query-secret",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer log-header-secret" },
            body = "log-body-secret",
            channels = channelIds,
        });
        ((int)monitor.StatusCode).ShouldBe(201);
        var id = JsonNode.Parse(await monitor.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        (await _admin.GetStringAsync($"api/v1/monitors/{id}")).ShouldContain("log-header-secret");
        await _admin.GetStringAsync("api/v1/channels");
        var sweep = _app.Service<ActiveCheckSweep>();
        await sweep.SweepOnceAsync(CancellationToken.None);
        await sweep.DrainAsync();
        foreach (var channel in channelIds)
        {
            using var test = await _admin.PostAsync($"api/v1/channels/{channel}/test", null);
        }
        // The server's own dispatch loop may claim the notices first: wait for their failures to be logged.
        var dispatcher = _app.Service<OutboxDispatcher>();
        await Eventually.GetAsync(async () =>
        {
            await dispatcher.DispatchOnceAsync(CancellationToken.None);
            await dispatcher.WhenIdleAsync();
            return _logs.Lines.Any(line => line.Contains("failed (attempt", StringComparison.Ordinal));
        }, logged => logged, TimeSpan.FromSeconds(20));
        await dispatcher.WhenIdleAsync();

        _logs.Lines.ShouldNotBeEmpty();
        foreach (var secret in Secrets)
        {
            _logs.Lines.ShouldNotContain(line => line.Contains(secret, StringComparison.Ordinal), secret);
        }
    }

    private sealed class CapturingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
