using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.Healthchecks;

/// <summary>
/// Healthchecks' Management API, versions 1 to 3, over Lifeline's push monitors (CONTRACT §8): a
/// check is a push monitor, its uuid the monitor's push token. The versions differ only where
/// Healthchecks' do: v1 and v2 make the slug from the name, v3 takes <c>slug</c>; v1 reports a
/// running check as <c>started</c>.
/// </summary>
internal static class HealthchecksApi
{
    public static IEndpointRouteBuilder MapHealthchecks(this IEndpointRouteBuilder app)
    {
        foreach (var version in new[] { 1, 2, 3 })
        {
            var api = app.MapGroup($"/api/v{version}").AddEndpointFilter<HealthchecksKeyFilter>();
            api.MapGet("/checks/", CheckEndpoints.List).WithMetadata(ReadOnlyKeyAllowed.Instance);
            api.MapPost("/checks/", CheckEndpoints.Create);
            api.MapGet("/checks/{key}", CheckEndpoints.Get).WithMetadata(ReadOnlyKeyAllowed.Instance);
            api.MapPost("/checks/{key}", CheckEndpoints.Update);
            api.MapDelete("/checks/{key}", CheckEndpoints.Delete);
            api.MapPost("/checks/{key}/pause", CheckEndpoints.Pause);
            api.MapPost("/checks/{key}/resume", CheckEndpoints.Resume);
            api.MapGet("/checks/{key}/pings/", HistoryEndpoints.Pings);
            api.MapGet("/checks/{key}/pings/{n}/body", HistoryEndpoints.PingBody);
            api.MapGet("/checks/{key}/flips/", HistoryEndpoints.Flips).WithMetadata(ReadOnlyKeyAllowed.Instance);
            var channels = api.MapGet("/channels/", ProjectEndpoints.Channels);
            api.MapGet("/badges/", ProjectEndpoints.Badges).WithMetadata(ReadOnlyKeyAllowed.Instance);
            // Healthchecks' status needs no key.
            var status = app.MapGet($"/api/v{version}/status/", ProjectEndpoints.Status);
            if (version == 1)
            {
                // Lifeline's own API has these two paths too: the request's auth header picks (ApiDialectPolicy).
                channels.WithMetadata(HealthchecksDialect.Instance);
                status.WithMetadata(HealthchecksDialect.Instance);
            }
        }
        return app;
    }

    /// <summary>Every push monitor, as checks.</summary>
    public static async Task<IReadOnlyList<Monitor>> ChecksAsync(IMonitorStore store, CancellationToken ct) =>
        [.. (await store.ListAllAsync(ct)).Where(m => m.Kind == MonitorKind.Push && m.PushToken is not null)];

    /// <summary>
    /// The check a path names: by its uuid (the push token), or, where Healthchecks allows it (get
    /// and flips), by its <c>unique_key</c>.
    /// </summary>
    public static async Task<Monitor?> FindAsync(string key, bool byUniqueKey, IMonitorStore store, CancellationToken ct)
    {
        var checks = await ChecksAsync(store, ct);
        return checks.FirstOrDefault(m => m.PushToken == key)
            ?? (byUniqueKey ? checks.FirstOrDefault(m => CheckJson.UniqueKey(m) == key) : null);
    }

    public static IResult NotFound() => HealthchecksKeyFilter.Error(StatusCodes.Status404NotFound, "not found");
}
