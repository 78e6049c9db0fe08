using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Lifeline.Server.StatusPages;

/// <summary>
/// The public side, without sign-in: status pages (<c>/status/{slug}</c>, <c>/json</c>, <c>/feed</c>)
/// and badges (<c>/badge/{key}.svg</c>, <c>.json</c>, <c>/uptime.svg?days=</c>), all served from <see cref="PublicCache"/>.
/// </summary>
internal static class PublicStatusEndpoints
{
    private const string Html = "text/html; charset=utf-8";
    private const string Json = "application/json; charset=utf-8";
    private const string Svg = "image/svg+xml; charset=utf-8";

    public static IEndpointRouteBuilder MapPublicStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status/{slug}", (string slug, HttpContext context, PublicCache cache, StatusViews views, DispatchOptions links) =>
            PageAsync(context, cache, $"page:{slug}:html", slug, views, links, StatusPageHtml.Render, Html));
        app.MapGet("/status/{slug}/json", (string slug, HttpContext context, PublicCache cache, StatusViews views, DispatchOptions links) =>
            PageAsync(context, cache, $"page:{slug}:json", slug, views, links, StatusPageFormats.Json, Json));
        app.MapGet("/status/{slug}/feed", (string slug, HttpContext context, PublicCache cache, StatusViews views, DispatchOptions links) =>
            PageAsync(context, cache, $"page:{slug}:feed", slug, views, links, StatusPageFormats.Atom, "application/atom+xml; charset=utf-8"));
        app.MapGet("/badge/{key}.svg", (string key, HttpContext context, PublicCache cache, BadgeSource badges) =>
            BadgeAsync(context, cache, $"badge:{key}:svg", () => badges.StatusAsync(key, svg: true, context.RequestAborted)));
        app.MapGet("/badge/{key}.json", (string key, HttpContext context, PublicCache cache, BadgeSource badges) =>
            BadgeAsync(context, cache, $"badge:{key}:json", () => badges.StatusAsync(key, svg: false, context.RequestAborted)));
        app.MapGet("/badge/{key}/uptime.svg", (string key, HttpContext context, PublicCache cache, BadgeSource badges) =>
        {
            var text = context.Request.Query["days"].ToString();
            var days = 30;
            if (text.Length > 0 && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > StatusViews.Days))
            {
                return Task.FromResult<IResult>(TypedResults.Json(new { error = $"days must be a whole number from 1 to {StatusViews.Days}" }, statusCode: StatusCodes.Status400BadRequest));
            }
            return BadgeAsync(context, cache, $"badge:{key}:uptime:{days}", () => badges.UptimeAsync(key, days, context.RequestAborted));
        });
        return app;
    }

    private static async Task<IResult> PageAsync(HttpContext context, PublicCache cache, string key, string slug, StatusViews views, DispatchOptions links,
        Func<StatusView, byte[]> format, string contentType)
    {
        var rendered = await cache.GetAsync(key, async () =>
            await views.ReadAsync(slug, links.PublicUrl ?? "", CancellationToken.None) is { } view
                ? Rendered.Of(format(view), contentType, view.At, view.Shows)
                : null);
        if (rendered is null)
        {
            context.Response.Headers.CacheControl = "no-cache";
            return contentType == Html
                ? new StatusResult(TypedResults.Bytes(StatusPageHtml.NotFound(), Html), StatusCodes.Status404NotFound)
                : TypedResults.Json(new { error = $"status page '{slug}' not found" }, statusCode: StatusCodes.Status404NotFound);
        }
        return Serve(context, rendered);
    }

    private static async Task<IResult> BadgeAsync(HttpContext context, PublicCache cache, string key, Func<Task<Rendered?>> render)
    {
        // Renders with no request's token: one request giving up must not fail the others waiting for the same badge.
        var rendered = await cache.GetAsync(key, render);
        if (rendered is null)
        {
            context.Response.Headers.CacheControl = "no-cache";
            return TypedResults.Json(new { error = "badge not found" }, statusCode: StatusCodes.Status404NotFound);
        }
        return Serve(context, rendered);
    }

    /// <summary>The cached bytes, or 304 when the client has them; clients and proxies may keep them but must ask again each time.</summary>
    private static IResult Serve(HttpContext context, Rendered rendered)
    {
        var headers = context.Response.Headers;
        headers.ETag = rendered.ETag;
        headers.CacheControl = "public, no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
        if (context.Request.Headers.IfNoneMatch.Count > 0 &&
            EntityTagHeaderValue.TryParseList(context.Request.Headers.IfNoneMatch, out var tags) &&
            tags.Any(t => t.Tag.Equals(rendered.ETag, StringComparison.Ordinal) || t.Equals(EntityTagHeaderValue.Any)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        headers.Vary = "Accept-Encoding";
        if (AcceptsGzip(context.Request))
        {
            headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(rendered.Gzipped, rendered.ContentType);
        }
        return TypedResults.Bytes(rendered.Body, rendered.ContentType);
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            if (value is not null && StringWithQualityHeaderValue.TryParseList([value], out var codings)
                && codings.Any(c => c.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && c.Quality is not 0))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Another result with its status code changed (for the HTML 404 page).</summary>
    private sealed class StatusResult(IResult inner, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
