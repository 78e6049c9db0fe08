using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Endpoints;

internal static partial class MonitorInput
{
    /// <summary>Where an active monitor is checked from: <c>locations</c>, <c>quorum</c> and <c>allAddresses</c> (CONTRACT §10).</summary>
    private static Monitor ApplyLocations(JsonObject body, Monitor m, List<FieldError> errors)
    {
        var active = m.Kind != MonitorKind.Push;
        if (body.ContainsKey("locations"))
        {
            if (body["locations"] is null)
            {
                m = m with { Locations = [Monitor.LocalLocation] };
            }
            else if (!active)
            {
                errors.Add(new("locations", "locations apply to active monitors (http, tcp, dns, tls); a push monitor is heard wherever it pings from"));
            }
            else if (StringList(body["locations"]!, "locations", errors) is { } locations)
            {
                var distinct = locations.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
                if (distinct.Count == 0)
                {
                    errors.Add(new("locations", "locations must name at least one location (\"local\" is the server itself)"));
                }
                else if (distinct.Count > 32)
                {
                    errors.Add(new("locations", "locations can name at most 32 locations"));
                }
                else
                {
                    m = m with { Locations = distinct };
                }
            }
        }
        if (body.ContainsKey("quorum"))
        {
            var node = body["quorum"];
            if (node is null)
            {
                m = m with { Quorum = null };
            }
            else if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var quorum) || quorum < 1)
            {
                errors.Add(new("quorum", "quorum must be a whole number of at least 1 (how many locations must fail), or null for a majority"));
            }
            else
            {
                m = m with { Quorum = quorum };
            }
        }
        if (m.Quorum is { } q && q > m.Locations.Count && !errors.Exists(e => e.Field is "quorum" or "locations"))
        {
            errors.Add(new("quorum", $"quorum {q} is more than the monitor's {m.Locations.Count} location(s)"));
        }
        if (Field(body, "allAddresses") is { } allNode)
        {
            if (allNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(new("allAddresses", "allAddresses must be true or false"));
            }
            else if (allNode.GetValue<bool>() && m.Kind is not (MonitorKind.Http or MonitorKind.Tcp or MonitorKind.Tls))
            {
                errors.Add(new("allAddresses", "allAddresses applies to http, tcp and tls monitors"));
            }
            else
            {
                m = m with { AllAddresses = allNode.GetValue<bool>() };
            }
        }
        return m;
    }
}
