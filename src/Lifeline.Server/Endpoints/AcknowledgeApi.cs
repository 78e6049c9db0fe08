using Lifeline.Server.Edits;
using Lifeline.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Endpoints;

/// <summary>POST /api/v1/monitors/{id}/ack: acknowledges the monitor's open incident, which stops its reminders.</summary>
internal static class AcknowledgeApi
{
    /// <summary>Longest name recorded as who acknowledged.</summary>
    private const int MaxBy = 200;

    /// <summary>Optional body <c>{"by": "..."}</c>; without it, the API key's name.</summary>
    public static async Task<IResult> Ack(string id, HttpRequest request, MonitorWrites writes, ApiKeyGate keys, IOptions<LifelineOptions> options, CancellationToken ct)
    {
        var by = keys.NameOf(request) ?? "api";
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, error) = await Requests.ReadObjectAsync(request, ct);
            if (body is null)
            {
                return Requests.BadRequest(error!);
            }
            if (body.TryGetPropertyValue("by", out var node) && node is not null)
            {
                if (node.GetValueKind() != System.Text.Json.JsonValueKind.String || node.GetValue<string>().Trim() is not { Length: > 0 and <= MaxBy } given)
                {
                    return Requests.BadRequest($"by must be a non-empty string of at most {MaxBy} characters");
                }
                by = given;
            }
        }
        var result = await writes.AcknowledgeAsync(id, by, ct);
        return result.Value is { } saved
            ? TypedResults.Json(MonitorJson.Monitor(saved, Requests.BaseUrl(request, options.Value.PublicUrl)))
            : Requests.From(result, "monitor", id);
    }
}
