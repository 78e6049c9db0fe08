using System.Text.Json;
using Lifeline.Core.Probes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Tests.Probe;

/// <summary>
/// A small real server (Kestrel on 127.0.0.1) speaking the probe protocol of ProbeWire.cs: one-time
/// enrol tokens, long-polled assignments, result batches stored once per batch id. It can be
/// stopped and started again on the same port (an outage), made to lose the answer to a results
/// post after storing it, and made to forget a credential.
/// </summary>
internal sealed class FakeProbeServer : IAsyncDisposable
{
    public static readonly LocationRef Location = new("loc-1", "eu-west");

    private readonly Lock _gate = new();
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _credentials = new(StringComparer.Ordinal);
    private readonly HashSet<string> _batchIds = new(StringComparer.Ordinal);
    private readonly List<ProbeResult> _stored = [];
    private readonly List<string> _posts = [];
    private List<ProbeCheck> _checks = [];
    private int _version = 1;
    private int _enrolments;
    private int _polls;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    private FakeProbeServer(int port) => Port = port;

    public int Port { get; private set; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Store the next results post, then answer 500 as if the answer was lost on the way.</summary>
    public bool FailNextPostAfterStoring { get; set; }

    public int Enrolments
    {
        get
        {
            lock (_gate)
            {
                return _enrolments;
            }
        }
    }

    /// <summary>Authorised assignment polls received.</summary>
    public int Polls
    {
        get
        {
            lock (_gate)
            {
                return _polls;
            }
        }
    }

    public IReadOnlyList<ProbeResult> Stored
    {
        get
        {
            lock (_gate)
            {
                return [.. _stored];
            }
        }
    }

    /// <summary>The batch id of every results post, in order, retries included.</summary>
    public IReadOnlyList<string> Posts
    {
        get
        {
            lock (_gate)
            {
                return [.. _posts];
            }
        }
    }

    public static async Task<FakeProbeServer> StartAsync(params string[] tokens)
    {
        var server = new FakeProbeServer(0);
        foreach (var token in tokens)
        {
            server._tokens.Add(token);
        }
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts listening again, on the same port as before.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.MapPost("/api/v1/probe/enroll", (Delegate)EnrollAsync);
        app.MapGet("/api/v1/probe/assignments", (Delegate)AssignmentsAsync);
        app.MapPost("/api/v1/probe/results", (Delegate)ResultsAsync);
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>Stops listening: the probe finds nothing there.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Replaces the assignments (a new version) and answers waiting polls.</summary>
    public void Assign(params ProbeCheck[] checks)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _checks = [.. checks];
            _version++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Forgets every credential issued (as if revoked).</summary>
    public void Revoke()
    {
        lock (_gate)
        {
            _credentials.Clear();
        }
    }

    public async Task WaitForAsync(Func<FakeProbeServer, bool> condition, TimeSpan timeout, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(this))
        {
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}; stored {Stored.Count} result(s) from {Posts.Count} post(s)");
            }
            await Task.Delay(50);
        }
    }

    private bool Authorised(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        lock (_gate)
        {
            return header.StartsWith("Probe ", StringComparison.Ordinal) && _credentials.Contains(header["Probe ".Length..]);
        }
    }

    private async Task<IResult> EnrollAsync(HttpContext context)
    {
        var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ProbeJson.Default.EnrollRequest);
        lock (_gate)
        {
            if (request is null || !_tokens.Remove(request.Token))
            {
                return Results.Json(new Dictionary<string, string> { ["error"] = "unknown or used enrol token" }, statusCode: 401);
            }
            _enrolments++;
            var credential = $"p-{_enrolments}.secret{Guid.NewGuid():N}";
            _credentials.Add(credential);
            return Results.Json(new EnrollAnswer($"p-{_enrolments}", Location, credential), ProbeJson.Default.EnrollAnswer, statusCode: 201);
        }
    }

    private async Task<IResult> AssignmentsAsync(HttpContext context)
    {
        if (!Authorised(context))
        {
            return Results.StatusCode(401);
        }
        var asked = context.Request.Query["version"].ToString();
        var wait = int.TryParse(context.Request.Query["wait"], out var seconds) ? seconds : 0;
        Task changed;
        lock (_gate)
        {
            _polls++;
            changed = _changed.Task;
            if (asked != Version())
            {
                return Current();
            }
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        try
        {
            await changed.WaitAsync(TimeSpan.FromSeconds(wait), stopping.Token);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return Results.StatusCode(304);
        }
        lock (_gate)
        {
            return Current();
        }

        IResult Current() => Results.Json(new Assignments(Version(), Location, _checks) { RetrySeconds = 0 }, ProbeJson.Default.Assignments);
    }

    private string Version() => "v" + _version;

    private async Task<IResult> ResultsAsync(HttpContext context)
    {
        if (!Authorised(context))
        {
            return Results.StatusCode(401);
        }
        var batch = await JsonSerializer.DeserializeAsync(context.Request.Body, ProbeJson.Default.ResultBatch);
        if (batch is null || string.IsNullOrEmpty(batch.Batch))
        {
            return Results.Json(new Dictionary<string, string> { ["error"] = "batch: required" }, statusCode: 400);
        }
        lock (_gate)
        {
            _posts.Add(batch.Batch);
            var duplicate = !_batchIds.Add(batch.Batch);
            if (!duplicate)
            {
                _stored.AddRange(batch.Results);
            }
            if (FailNextPostAfterStoring)
            {
                FailNextPostAfterStoring = false;
                return Results.StatusCode(500);
            }
            return Results.Json(new BatchAnswer(duplicate ? 0 : batch.Results.Count, duplicate), ProbeJson.Default.BatchAnswer);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
