using System.Text.Json.Nodes;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Healthchecks;

/// <summary>Healthchecks' check calls: list, create (with <c>unique</c>), get, update, pause, resume, delete.</summary>
internal static class CheckEndpoints
{
    public static async Task<IResult> List(HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var call = HealthchecksCall.Of(context);
        var tags = context.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).ToHashSet(StringComparer.Ordinal);
        var slug = context.Request.Query["slug"].ToString();
        var now = clock.GetUtcNow();
        var baseUrl = Requests.BaseUrl(context.Request, options.Value.PublicUrl);
        var checks = (await HealthchecksApi.ChecksAsync(store, ct))
            .Where(m => tags.IsSubsetOf(m.Tags) && (slug.Length == 0 || m.Slug == slug))
            .OrderBy(m => m.CreatedAt)
            .Select(m => (JsonNode)CheckJson.Check(m, baseUrl, call.Version, call.ReadOnly, now));
        return TypedResults.Json(new JsonObject { ["checks"] = new JsonArray([.. checks]) });
    }

    public static async Task<IResult> Get(string key, HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var call = HealthchecksCall.Of(context);
        return await HealthchecksApi.FindAsync(key, byUniqueKey: true, store, ct) is { } check
            ? TypedResults.Json(CheckJson.Check(check, Requests.BaseUrl(context.Request, options.Value.PublicUrl), call.Version, call.ReadOnly, clock.GetUtcNow()))
            : HealthchecksApi.NotFound();
    }

    public static async Task<IResult> Create(HttpContext context, IMonitorStore store, IChannelStore channels, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var call = HealthchecksCall.Of(context);
        if (CheckSpec.Parse(call.Body, out var specError) is not { } spec)
        {
            return HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, specError!);
        }
        if (CheckEdit.FindUnique(spec, await HealthchecksApi.ChecksAsync(store, ct)) is { } existing)
        {
            return await SaveAsync(context, existing.Id, spec, store, channels, clock, options, ct);
        }
        var chosen = CheckEdit.Channels(spec.Channels, await channels.ListAsync(ct), out var channelError);
        if (channelError is not null)
        {
            return HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, channelError);
        }
        var check = CheckEdit.Apply(CheckEdit.NewCheck(clock.GetUtcNow()), spec, call.Version, chosen);
        try
        {
            check = await store.AddAsync(check, ct);
        }
        catch (ConflictException ex) when (ex.Field == "slug" && spec.Slug is null)
        {
            // v1 and v2 make the slug from the name, and Healthchecks lets two checks share one;
            // Lifeline's slugs are unique, so a second check of that name goes without.
            check = await store.AddAsync(check with { Slug = null }, ct);
        }
        catch (ConflictException ex) when (ex.Field == "slug")
        {
            return SlugTaken(spec.Slug);
        }
        return TypedResults.Json(CheckJson.Check(check, Requests.BaseUrl(context.Request, options.Value.PublicUrl), call.Version, readOnly: false, clock.GetUtcNow()), statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> Update(string key, HttpContext context, IMonitorStore store, IChannelStore channels, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check)
        {
            return HealthchecksApi.NotFound();
        }
        if (CheckSpec.Parse(HealthchecksCall.Of(context).Body, out var specError) is not { } spec)
        {
            return HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, specError!);
        }
        return await SaveAsync(context, check.Id, spec, store, channels, clock, options, ct);
    }

    /// <summary>Applies the body to an existing check and answers it (200).</summary>
    private static async Task<IResult> SaveAsync(HttpContext context, string id, CheckSpec spec, IMonitorStore store, IChannelStore channels, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var call = HealthchecksCall.Of(context);
        var chosen = CheckEdit.Channels(spec.Channels, await channels.ListAsync(ct), out var channelError);
        if (channelError is not null)
        {
            return HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, channelError);
        }
        var now = clock.GetUtcNow();
        Flip Edit(Monitor latest, bool keepSlug)
        {
            var edited = CheckEdit.Apply(latest, spec, call.Version, chosen);
            return Flip.Quiet(latest, MonitorMachine.Reschedule(keepSlug ? edited with { Slug = latest.Slug } : edited, now));
        }
        Monitor? saved;
        try
        {
            // Re-read inside the write, so signals that arrived meanwhile are kept.
            saved = await store.ChangeAsync(id, latest => Edit(latest, keepSlug: false), ct);
        }
        catch (ConflictException ex) when (ex.Field == "slug" && spec.Slug is null)
        {
            saved = await store.ChangeAsync(id, latest => Edit(latest, keepSlug: true), ct);
        }
        catch (ConflictException ex) when (ex.Field == "slug")
        {
            return SlugTaken(spec.Slug);
        }
        return saved is null
            ? HealthchecksApi.NotFound()
            : TypedResults.Json(CheckJson.Check(saved, Requests.BaseUrl(context.Request, options.Value.PublicUrl), call.Version, readOnly: false, now));
    }

    public static async Task<IResult> Delete(string key, HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check || !await store.DeleteAsync(check.Id, ct))
        {
            return HealthchecksApi.NotFound();
        }
        return TypedResults.Json(CheckJson.Check(check, Requests.BaseUrl(context.Request, options.Value.PublicUrl), HealthchecksCall.Of(context).Version, readOnly: false, clock.GetUtcNow()));
    }

    /// <summary>Pauses: no deadline, no alerts, and an open run is forgotten (as Healthchecks does).</summary>
    public static Task<IResult> Pause(string key, HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct) =>
        ChangeAsync(key, context, store, clock, options, latest =>
        {
            var paused = MonitorMachine.Pause(latest);
            return paused with { Next = paused.Next with { RunStartedAt = null, RunRid = null } };
        }, ct);

    /// <summary>Resumes a paused check to <c>new</c>, as Healthchecks does; a check that is not paused is a 409.</summary>
    public static async Task<IResult> Resume(string key, HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check)
        {
            return HealthchecksApi.NotFound();
        }
        if (check.Status != MonitorStatus.Paused)
        {
            return TypedResults.Text("check is not paused", statusCode: StatusCodes.Status409Conflict);
        }
        return await ChangeAsync(key, context, store, clock, options, latest => latest.Status != MonitorStatus.Paused
            ? Flip.Quiet(latest, latest)
            : Flip.Quiet(latest, latest with { Status = MonitorStatus.New, DueAt = null, NextDeadlineAt = null, RunStartedAt = null, RunRid = null }), ct);
    }

    private static async Task<IResult> ChangeAsync(string key, HttpContext context, IMonitorStore store, TimeProvider clock, IOptions<LifelineOptions> options, Func<Monitor, Flip> change, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check || await store.ChangeAsync(check.Id, change, ct) is not { } changed)
        {
            return HealthchecksApi.NotFound();
        }
        return TypedResults.Json(CheckJson.Check(changed, Requests.BaseUrl(context.Request, options.Value.PublicUrl), HealthchecksCall.Of(context).Version, readOnly: false, clock.GetUtcNow()));
    }

    private static IResult SlugTaken(string? slug) =>
        HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, $"slug '{slug}' is already used by another check");
}
