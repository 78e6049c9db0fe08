using System.Globalization;
using System.Text.Json.Nodes;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Healthchecks;

/// <summary>Healthchecks' history calls over Lifeline's events and incidents: a check's pings, a ping's body, its flips.</summary>
internal static class HistoryEndpoints
{
    /// <summary>Healthchecks answers at most this many pings.</summary>
    private const int MaxPings = 1000;

    /// <summary>Incidents read for the flips: Healthchecks keeps about three months of them.</summary>
    private const int MaxIncidents = 1000;

    /// <summary>Healthchecks' bounds: <c>seconds</c> up to a year, <c>start</c>/<c>end</c> Unix times up to 10^10.</summary>
    private const long MaxSeconds = 31_536_000, MaxTimestamp = 10_000_000_000;

    /// <summary>The check's kept pings, newest first.</summary>
    public static async Task<IResult> Pings(string key, HttpContext context, IMonitorStore store, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check)
        {
            return HealthchecksApi.NotFound();
        }
        var prefix = $"{Requests.BaseUrl(context.Request, options.Value.PublicUrl)}/api/v{HealthchecksCall.Of(context).Version}/checks/{check.PushToken}/pings";
        var events = await store.EventsAsync(check.Id, Math.Min(options.Value.EventsKept, MaxPings), ct);
        var pings = events.Select(e => CheckJson.Ping(e, prefix)).OfType<JsonObject>().Select(p => (JsonNode)p);
        return TypedResults.Json(new JsonObject { ["pings"] = new JsonArray([.. pings]) });
    }

    /// <summary>The body of ping number <paramref name="n"/>, as text; 404 when the ping is gone or had none.</summary>
    public static async Task<IResult> PingBody(string key, string n, HttpContext context, IMonitorStore store, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: false, store, ct) is not { } check
            || !long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number <= check.EventCount - options.Value.EventsKept)
        {
            return HealthchecksApi.NotFound();
        }
        var events = await store.EventsAsync(check.Id, options.Value.EventsKept, ct);
        return events.FirstOrDefault(e => e.Id == number) is { Body: { Length: > 0 } body }
            ? TypedResults.Text(body, "text/plain")
            : HealthchecksApi.NotFound();
    }

    /// <summary>Status changes, newest first: each incident is a flip down and, once over, a flip up. <c>?seconds=</c>, <c>?start=</c>, <c>?end=</c> narrow them.</summary>
    public static async Task<IResult> Flips(string key, HttpContext context, IMonitorStore store, TimeProvider clock, CancellationToken ct)
    {
        var query = context.Request.Query;
        if (!TryNumber(query["seconds"], MaxSeconds, out var seconds) || !TryNumber(query["start"], MaxTimestamp, out var start) || !TryNumber(query["end"], MaxTimestamp, out var end))
        {
            return HealthchecksKeyFilter.Error(StatusCodes.Status400BadRequest, "seconds must be a whole number from 0 to 31536000, start and end Unix times");
        }
        if (await HealthchecksApi.FindAsync(key, byUniqueKey: true, store, ct) is not { } check)
        {
            return HealthchecksApi.NotFound();
        }
        // Zero or absent means no bound, as in Healthchecks.
        var from = start is > 0 ? DateTimeOffset.FromUnixTimeSeconds(start.Value) : DateTimeOffset.MinValue;
        var until = end is > 0 ? DateTimeOffset.FromUnixTimeSeconds(end.Value) : DateTimeOffset.MaxValue;
        var since = seconds is > 0 ? clock.GetUtcNow().AddSeconds(-seconds.Value) : DateTimeOffset.MinValue;
        var incidents = await store.IncidentsAsync(check.Id, MaxIncidents, ct);
        var flips = incidents.SelectMany(CheckJson.Flips)
            .Where(f => f.At >= from && f.At < until && f.At >= since)
            .OrderByDescending(f => f.At)
            .Select(f => (JsonNode)CheckJson.Flip(f.At, f.Up));
        return TypedResults.Json(new JsonObject { ["flips"] = new JsonArray([.. flips]) });
    }

    /// <summary>An optional whole number from 0 to <paramref name="max"/>; false when given but not one.</summary>
    private static bool TryNumber(string? text, long max, out long? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < 0 || number > max)
        {
            return false;
        }
        value = number;
        return true;
    }
}
