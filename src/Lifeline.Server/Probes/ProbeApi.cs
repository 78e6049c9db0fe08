using System.Text.Json;
using Lifeline.Core.Probes;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Probes;

/// <summary>
/// What probes call (see <see cref="ProbeWire"/>'s notes in Lifeline.Core): enrolment with a
/// one-time token, then, with <c>Authorization: Probe &lt;credential&gt;</c>, a long poll for
/// assignments, result batches and credential rotation.
/// </summary>
internal static class ProbeApi
{
    public const string Scheme = "Probe";

    public static IEndpointRouteBuilder MapProbeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/probe");
        group.MapPost("/enroll", Enroll);
        group.MapGet("/assignments", Assignments);
        group.MapPost("/results", Results);
        group.MapPost("/rotate", Rotate);
        return app;
    }

    private static async Task<IResult> Enroll(HttpRequest request, ProbeHub hub, CancellationToken ct)
    {
        var (body, error) = await ReadAsync(request, ProbeJson.Default.EnrollRequest, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        if (string.IsNullOrWhiteSpace(body.Token))
        {
            return Requests.BadRequest("token is required: the location's enrol token");
        }
        if (await hub.EnrollAsync(body, ct) is not { } enrolled)
        {
            return Requests.Error(StatusCodes.Status401Unauthorized, "token: unknown or already used enrol token; ask for a new one (POST /api/v1/locations/{id}/enroll-token)");
        }
        return TypedResults.Json(
            new EnrollAnswer(enrolled.Probe.Id, new LocationRef(enrolled.Location.Id, enrolled.Location.Name), enrolled.Credential),
            ProbeJson.Default.EnrollAnswer, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Assignments(HttpContext context, ProbeHub hub, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await AuthenticateAsync(context, hub, ct) is not { } probe)
        {
            return Unauthorized();
        }
        var query = context.Request.Query;
        var version = query["version"].ToString();
        var maxWait = options.Value.ProbePollSeconds;
        var wait = int.TryParse(query["wait"], out var asked) ? Math.Clamp(asked, 0, maxWait) : 0;
        if (query.ContainsKey("wait") && !int.TryParse(query["wait"], out _))
        {
            return Requests.BadRequest($"wait must be a whole number of seconds from 0 to {maxWait}");
        }
        var until = clock.GetUtcNow().AddSeconds(wait);
        while (true)
        {
            await hub.HeardAsync(probe, ct);
            var assignments = await hub.AssignmentsAsync(probe, ct);
            if (assignments.Version != version)
            {
                return TypedResults.Json(assignments, ProbeJson.Default.Assignments);
            }
            if (clock.GetUtcNow() >= until)
            {
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
            catch (OperationCanceledException)
            {
                return TypedResults.Empty;
            }
        }
    }

    private static async Task<IResult> Results(HttpContext context, ProbeHub hub, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await AuthenticateAsync(context, hub, ct) is not { } probe)
        {
            return Unauthorized();
        }
        // A full batch of long failure messages is larger than an admin call may be.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.Value.ProbeBatchMaxBytes;
        }
        var (batch, error) = await ReadAsync(context.Request, ProbeJson.Default.ResultBatch, ct);
        if (batch is null)
        {
            return Requests.BadRequest(error!);
        }
        if (string.IsNullOrWhiteSpace(batch.Batch) || batch.Batch.Length > 100)
        {
            return Requests.BadRequest("batch must be a unique id of 1-100 characters");
        }
        if (batch.Results is null)
        {
            return Requests.BadRequest("results must be an array");
        }
        if (batch.Results.Count > options.Value.ProbeBatchMax)
        {
            return Requests.Error(StatusCodes.Status413PayloadTooLarge, $"results: at most {options.Value.ProbeBatchMax} results per batch (Lifeline:ProbeBatchMax)");
        }
        for (var i = 0; i < batch.Results.Count; i++)
        {
            var r = batch.Results[i];
            if (r is null || string.IsNullOrEmpty(r.Monitor) || r.Message is null)
            {
                return Requests.BadRequest($"results[{i}] needs monitor, at, ok and message");
            }
        }
        await hub.HeardAsync(probe, ct);
        return TypedResults.Json(await hub.IngestAsync(probe, batch, ct), ProbeJson.Default.BatchAnswer);
    }

    private static async Task<IResult> Rotate(HttpContext context, ProbeHub hub, CancellationToken ct)
    {
        if (await AuthenticateAsync(context, hub, ct) is not { } probe)
        {
            return Unauthorized();
        }
        return await hub.RotateAsync(probe, ct) is { } credential
            ? TypedResults.Json(new RotateAnswer(credential), ProbeJson.Default.RotateAnswer)
            : Unauthorized();
    }

    private static Task<ProbeInfo?> AuthenticateAsync(HttpContext context, ProbeHub hub, CancellationToken ct)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var prefix = Scheme + " ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? hub.AuthenticateAsync(header[prefix.Length..].Trim(), ct)
            : Task.FromResult<ProbeInfo?>(null);
    }

    private static IResult Unauthorized() =>
        Requests.Error(StatusCodes.Status401Unauthorized, "a probe credential is required: Authorization: Probe <credential> (enrol with the location's token first)");

    private static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, ct);
            return value is null ? (null, "request body must be a JSON object") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, $"request body is not valid: {ex.Message}");
        }
    }
}
