using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.Forms;

/// <summary>Where a form action sends the browser back to: the page it came from on this server, else a fallback.</summary>
public static class ReturnPath
{
    public static string Of(HttpRequest request, string fallback)
    {
        ArgumentNullException.ThrowIfNull(request);
        var referer = request.Headers.Referer.ToString();
        if (Uri.TryCreate(referer, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            var local = LocalReturn.Of(uri.PathAndQuery);
            return local == "/" && uri.PathAndQuery != "/" ? fallback : local;
        }
        return fallback;
    }

    /// <summary>The path with <c>name=value</c> in its query, replacing an earlier value of that name.</summary>
    public static string With(string path, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(path);
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var head = query < 0 ? path : path[..query];
        var pairs = query < 0 ? [] : path[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal) && p != name).ToList();
        pairs.Add($"{name}={Uri.EscapeDataString(value)}");
        return $"{head}?{string.Join('&', pairs)}";
    }
}
