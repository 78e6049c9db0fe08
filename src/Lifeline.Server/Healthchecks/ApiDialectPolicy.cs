using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Lifeline.Server.Healthchecks;

/// <summary>Marks a Healthchecks endpoint that shares its path with one of Lifeline's own (<c>GET /api/v1/channels/</c>, <c>GET /api/v1/status/</c>).</summary>
internal sealed class HealthchecksDialect
{
    public static readonly HealthchecksDialect Instance = new();

    /// <summary>
    /// A request speaks Healthchecks' dialect when it has an <c>X-Api-Key</c> header and no
    /// <c>Authorization</c> header; everything else (a Bearer key, no key at all) is Lifeline's.
    /// </summary>
    public static bool Speaks(HttpRequest request) =>
        request.Headers.ContainsKey("X-Api-Key") && !request.Headers.ContainsKey("Authorization");
}

/// <summary>
/// Where a path is both Lifeline's and Healthchecks', picks one endpoint by the request's
/// authentication header (CONTRACT §8): the Healthchecks endpoint for <c>X-Api-Key</c>, Lifeline's
/// for <c>Authorization: Bearer</c>. Paths only one API has are left alone.
/// </summary>
internal sealed class ApiDialectPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the HTTP method policy, so only endpoints of the request's method are weighed.
    public override int Order => 100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<HealthchecksDialect>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var marked = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            marked |= candidates.IsValidCandidate(i) && candidates[i].Endpoint.Metadata.GetMetadata<HealthchecksDialect>() is not null;
        }
        if (!marked)
        {
            return Task.CompletedTask;
        }
        var healthchecks = HealthchecksDialect.Speaks(httpContext.Request);
        for (var i = 0; i < candidates.Count; i++)
        {
            var isHealthchecks = candidates[i].Endpoint.Metadata.GetMetadata<HealthchecksDialect>() is not null;
            if (candidates.IsValidCandidate(i) && isHealthchecks != healthchecks)
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }
}
