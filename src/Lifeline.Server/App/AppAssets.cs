using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Lifeline.Server.App;

/// <summary>
/// The app's stylesheet, script and icon, embedded in the assembly and served from memory under
/// <c>/assets/</c>. Each URL carries a hash of the content, so browsers may keep a file for a year.
/// </summary>
public static class AppAssets
{
    private sealed record Asset(byte[] Content, string ContentType, string Hash);

    private static readonly FrozenDictionary<string, Asset> Files = Load();

    /// <summary>The versioned URL of an asset, e.g. <c>/assets/app.css?v=1a2b3c4d</c>.</summary>
    public static string Url(string name) => $"/assets/{name}?v={Files[name].Hash}";

    public static IEndpointRouteBuilder MapAppAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/{name}", (string name, HttpContext context) =>
        {
            if (!Files.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }
            var etag = new EntityTagHeaderValue($"\"{asset.Hash}\"");
            context.Response.Headers.CacheControl = context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
            return Results.Bytes(asset.Content, asset.ContentType, entityTag: etag);
        });
        return app;
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        const string prefix = "App.assets.";
        var assembly = typeof(AppAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var content = memory.ToArray();
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name] = new Asset(content, type, Convert.ToHexStringLower(SHA256.HashData(content))[..12]);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
