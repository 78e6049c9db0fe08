using System.Text;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// How secrets are shown back by the admin API: replaced by <see cref="Masked"/>. Channel secrets
/// are masked for every key; monitor headers, bodies and target credentials, and channel URLs, only
/// for read-only keys (an admin needs them to edit).
/// </summary>
internal static class Redact
{
    public const string Masked = "********";

    /// <summary>A URL as its scheme and host only: <c>https://hooks.slack.com/********</c>.</summary>
    public static string Url(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? $"{uri.Scheme}://{uri.Authority}/{Masked}"
            : Masked;

    /// <summary>
    /// A check target with its credentials masked: the user-info part of a URL and every query
    /// value (<c>https://********@host/path?token=********</c>); the fragment is dropped.
    /// Targets without <c>://</c> (<c>host:port</c>, <c>name@nameserver</c>) hold none and are kept.
    /// </summary>
    public static string Target(string target)
    {
        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return target;
        }
        var authorityStart = schemeEnd + 3;
        var authorityEnd = target.IndexOfAny(['/', '?', '#'], authorityStart);
        authorityEnd = authorityEnd < 0 ? target.Length : authorityEnd;
        var authority = target[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        var text = new StringBuilder(target[..authorityStart]);
        text.Append(at < 0 ? authority : $"{Masked}@{authority[(at + 1)..]}");
        var rest = target[authorityEnd..];
        var fragment = rest.IndexOf('#', StringComparison.Ordinal);
        rest = fragment < 0 ? rest : rest[..fragment];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return text.Append(rest).ToString();
        }
        text.Append(rest.AsSpan(0, query + 1));
        var parameters = rest[(query + 1)..].Split('&');
        text.AppendJoin('&', parameters.Select(p => p.Length == 0 ? p : p.Contains('=', StringComparison.Ordinal) ? $"{p[..p.IndexOf('=', StringComparison.Ordinal)]}={Masked}" : Masked));
        return text.ToString();
    }
}
