using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.Healthchecks;

/// <summary>Healthchecks' project-wide calls: the integrations (Lifeline's channels), the badges, the status probe.</summary>
internal static class ProjectEndpoints
{
    private static readonly string[] BadgeFormats = ["svg", "svg3", "json", "json3", "shields", "shields3"];

    public static async Task<IResult> Channels(IChannelStore channels, CancellationToken ct)
    {
        var list = (await channels.ListAsync(ct)).Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["name"] = c.Name,
            ["kind"] = c.Kind,
        });
        return TypedResults.Json(new JsonObject { ["channels"] = new JsonArray([.. list]) });
    }

    /// <summary>
    /// Every tag of the checks, and <c>*</c> for all of them, with Healthchecks' six badge formats.
    /// Lifeline has no tag badges: each format is null until it has.
    /// </summary>
    public static async Task<IResult> Badges(IMonitorStore store, CancellationToken ct)
    {
        var tags = (await HealthchecksApi.ChecksAsync(store, ct)).SelectMany(m => m.Tags).Prepend("*").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var badges = new JsonObject();
        foreach (var tag in tags)
        {
            badges[tag] = new JsonObject(BadgeFormats.Select(f => KeyValuePair.Create(f, (JsonNode?)null)));
        }
        return TypedResults.Json(new JsonObject { ["badges"] = badges });
    }

    /// <summary>"OK" once the store answers a query.</summary>
    public static async Task<IResult> Status(IMonitorStore store, CancellationToken ct)
    {
        await store.CountByStatusAsync(ct);
        return TypedResults.Text("OK", "text/plain");
    }
}
