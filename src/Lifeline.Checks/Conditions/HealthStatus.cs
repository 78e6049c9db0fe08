using System.Text.Json;

namespace Lifeline.Checks.Conditions;

/// <summary>
/// Reads <c>[HEALTH]</c>: the <c>status</c> of an application/health+json document (pass, warn,
/// fail), of ASP.NET Core health JSON (Healthy, Degraded, Unhealthy) or of Spring Boot actuator
/// (UP, DOWN, OUT_OF_SERVICE), folded to <c>pass</c>, <c>warn</c> or <c>fail</c>.
/// </summary>
public static class HealthStatus
{
    public const string Pass = "pass";
    public const string Warn = "warn";
    public const string Fail = "fail";

    /// <summary>Folds one status word; null when the word means none of the three.</summary>
    public static string? Normalize(string? word) => word?.Trim().ToUpperInvariant() switch
    {
        "PASS" or "OK" or "UP" or "HEALTHY" => Pass,
        "WARN" or "WARNING" or "DEGRADED" => Warn,
        "FAIL" or "ERROR" or "DOWN" or "UNHEALTHY" or "OUT_OF_SERVICE" => Fail,
        _ => null,
    };

    /// <summary>The health read from a body; null when the body holds no recognisable status.</summary>
    public static string? Read(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        var trimmed = body.Trim();
        if (!trimmed.StartsWith('{'))
        {
            // ASP.NET Core's default writer answers the bare word.
            return Normalize(trimmed);
        }
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (string.Equals(property.Name, "status", StringComparison.OrdinalIgnoreCase)
                    && property.Value.ValueKind == JsonValueKind.String)
                {
                    return Normalize(property.Value.GetString());
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
    }
}
