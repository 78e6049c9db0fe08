using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Lifeline.Testing;

/// <summary>
/// A registry's RDAP server and IANA's bootstrap file, both on 127.0.0.1: the bootstrap at
/// <see cref="BootstrapUrl"/> sends the given top-level domains to <see cref="BaseUrl"/>, which
/// answers <c>GET domain/{name}</c> for the domains it was given (404 for others, as registries do
/// for host names under a domain), with an <c>expiration</c> event.
/// </summary>
public sealed class FakeRdapServer : IAsyncDisposable
{
    private readonly RecordingServer _server;
    private readonly IReadOnlyList<string> _tlds;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _domains = new(StringComparer.OrdinalIgnoreCase);

    private FakeRdapServer(RecordingServer server, IReadOnlyList<string> tlds)
    {
        _server = server;
        _tlds = tlds;
        server.Responder = Answer;
    }

    public static async Task<FakeRdapServer> StartAsync(params string[] tlds) =>
        new(await RecordingServer.StartAsync(), tlds.Length == 0 ? ["test"] : tlds);

    public Uri BootstrapUrl => new(_server.BaseUri, "bootstrap/dns.json");

    public Uri BaseUrl => new(_server.BaseUri, "rdap/");

    /// <summary>When set, domain lookups answer this status (503: the registry is down).</summary>
    public int? FailWith { get; set; }

    /// <summary>Domain lookups received, in order, as the names asked for.</summary>
    public IReadOnlyList<string> Lookups =>
        [.. _server.Requests.Where(r => r.Path.StartsWith("/rdap/domain/", StringComparison.Ordinal)).Select(r => Uri.UnescapeDataString(r.Path["/rdap/domain/".Length..]))];

    public int BootstrapReads => _server.Requests.Count(r => r.Path == "/bootstrap/dns.json");

    public FakeRdapServer Domain(string name, DateTimeOffset expires)
    {
        _domains[name] = expires;
        return this;
    }

    private Reply Answer(RecordedRequest request)
    {
        if (request.Path == "/bootstrap/dns.json")
        {
            var bootstrap = new JsonObject
            {
                ["version"] = "1.0",
                ["publication"] = "2026-01-01T00:00:00Z",
                ["services"] = new JsonArray(
                    new JsonArray(new JsonArray("invalid"), new JsonArray("https://rdap.invalid/")),
                    new JsonArray(new JsonArray([.. _tlds.Select(t => (JsonNode)t)]), new JsonArray(BaseUrl.ToString()))),
            };
            return new Reply(200, bootstrap.ToJsonString());
        }
        if (!request.Path.StartsWith("/rdap/domain/", StringComparison.Ordinal))
        {
            return new Reply(404, """{"errorCode":404}""", ContentType: "application/rdap+json");
        }
        if (FailWith is { } status)
        {
            return new Reply(status, """{"errorCode":503}""", ContentType: "application/rdap+json");
        }
        var name = Uri.UnescapeDataString(request.Path["/rdap/domain/".Length..]);
        if (!_domains.TryGetValue(name, out var expires))
        {
            return new Reply(404, """{"errorCode":404,"title":"Not Found"}""", ContentType: "application/rdap+json");
        }
        var domain = new JsonObject
        {
            ["objectClassName"] = "domain",
            ["ldhName"] = name.ToUpperInvariant(),
            ["events"] = new JsonArray(
                new JsonObject { ["eventAction"] = "registration", ["eventDate"] = "2001-02-03T04:05:06Z" },
                new JsonObject { ["eventAction"] = "expiration", ["eventDate"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
                new JsonObject { ["eventAction"] = "last update of RDAP database", ["eventDate"] = "2026-01-01T00:00:00Z" }),
        };
        return new Reply(200, domain.ToJsonString(), ContentType: "application/rdap+json");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
