using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeline.Client.Admin;

namespace Lifeline.Cli.Import;

/// <summary>
/// Reads a Healthchecks project through its Management API v3 (<c>GET /api/v3/checks/</c> and
/// <c>/api/v3/channels/</c>, key in <c>X-Api-Key</c>). Each check becomes a push monitor whose
/// token is the check's UUID, so <c>/ping/&lt;uuid&gt;</c> URLs keep working, and keeps its slug.
/// </summary>
internal static class HealthchecksReader
{
    public static async Task<ImportPlan> ReadAsync(HttpClient http, Uri baseUrl, string apiKey, CancellationToken ct)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        var checks = await GetAsync(http, $"{root}/api/v3/checks/", apiKey, ct);
        var channels = await GetAsync(http, $"{root}/api/v3/channels/", apiKey, ct, optional: true);

        var items = new List<ImportItem>();
        foreach (var channel in (channels?["channels"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var kind = S(channel, "kind") ?? "?";
            var name = S(channel, "name") is { Length: > 0 } n ? n : kind;
            items.Add(new ImportItem
            {
                Source = $"integration \"{name}\"",
                SourceType = "integration: " + kind,
                Key = S(channel, "id"),
                Skipped = $"Healthchecks' API does not give an integration's address or secret; add a channel in Lifeline for it and link the monitors that used it",
            });
        }
        var slugged = false;
        foreach (var check in (checks!["checks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var item = MapCheck(check);
            slugged |= item.Monitor?.Slug is not null;
            items.Add(item);
        }
        var remarks = new List<string>();
        if (slugged)
        {
            remarks.Add("Slug URLs (/ping/<ping key>/<slug>) keep working once the Lifeline server's ping key is this project's: set Lifeline:PingKey to the ping key shown in the project's settings on Healthchecks.");
        }
        return new ImportPlan("Healthchecks", items, remarks);
    }

    private static ImportItem MapCheck(JsonObject check)
    {
        var uuid = S(check, "uuid") ?? LastSegment(S(check, "ping_url"));
        var slug = S(check, "slug") is { Length: > 0 } s ? s : null;
        var name = S(check, "name") is { Length: > 0 } n ? n.Trim() : slug ?? uuid ?? "check";
        var item = new ImportItem
        {
            Source = $"check \"{name}\"",
            SourceType = S(check, "schedule") is null ? "simple check" : "cron check",
            Paused = S(check, "status") == "paused",
        };
        if (uuid is null)
        {
            return item with { Skipped = "no UUID in the answer: a read-only API key hides it; use a read-write key" };
        }
        if (!Mapping.IsKeepableToken(uuid))
        {
            return item with { Skipped = $"its UUID \"{uuid}\" cannot be kept as a push token" };
        }
        var notes = new List<string>();
        if (slug is not null && !Mapping.IsSlug(slug))
        {
            notes.Add($"its slug \"{slug}\" is not one Lifeline takes (a-z, 0-9, '-' and '_') and is left out");
            slug = null;
        }
        if (S(check, "methods") is { Length: > 0 } methods)
        {
            notes.Add($"pings are not limited to {methods}: every method counts");
        }
        if (S(check, "success_kw") is { Length: > 0 } || S(check, "failure_kw") is { Length: > 0 } || S(check, "start_kw") is { Length: > 0 })
        {
            notes.Add("email keyword filters are not carried over");
        }
        var tags = (S(check, "tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var schedule = S(check, "schedule") is { Length: > 0 } cron ? cron : null;
        var monitor = new NewMonitor
        {
            Name = name,
            Kind = "push",
            Slug = slug,
            PushToken = uuid,
            Tags = tags.Length == 0 ? null : tags,
            Description = S(check, "desc") is { Length: > 0 } desc ? desc : null,
            Period = schedule is null ? N(check, "timeout") : null,
            Grace = N(check, "grace"),
            Schedule = schedule,
            Tz = schedule is null ? null : S(check, "tz"),
            ManualResume = check["manual_resume"] is JsonValue v && v.TryGetValue<bool>(out var manual) && manual ? true : null,
        };
        var channelKeys = (S(check, "channels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return item with { Monitor = monitor, Notes = notes, ChannelKeys = channelKeys };
    }

    private static async Task<JsonObject?> GetAsync(HttpClient http, string url, string apiKey, CancellationToken ct, bool optional = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Api-Key", apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new ImportSourceException($"cannot reach Healthchecks at {url}: {ex.Message}", ex);
        }
        using (response)
        {
            var code = (int)response.StatusCode;
            if (code is 401 or 403 && !optional)
            {
                throw new ImportSourceException($"Healthchecks refused the API key ({code}): use the project's read-write API key from its settings page");
            }
            if (!response.IsSuccessStatusCode)
            {
                return optional ? null : throw new ImportSourceException($"Healthchecks answered {code} to GET {url}");
            }
            try
            {
                return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
                    ?? throw new ImportSourceException($"Healthchecks' answer to GET {url} is not a JSON object");
            }
            catch (JsonException ex)
            {
                throw new ImportSourceException($"Healthchecks' answer to GET {url} is not JSON: {ex.Message}", ex);
            }
        }
    }

    private static string? LastSegment(string? url) =>
        url is null ? null : url.TrimEnd('/').Split('/')[^1] is { Length: > 0 } last ? last : null;

    private static string? S(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? N(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
