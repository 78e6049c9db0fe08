using System.Globalization;
using System.Text;

namespace Lifeline.Client.Push;

/// <summary>One HTTP request to a push endpoint, built by <see cref="PushRequests"/>.</summary>
/// <param name="Method">GET for <c>/api/push</c> signals, POST when a body goes along.</param>
/// <param name="Url">The full URL, query included.</param>
/// <param name="Body">Plain text stored with the event, or null for none.</param>
public sealed record PushRequest(HttpMethod Method, Uri Url, string? Body = null);

/// <summary>
/// Builds requests for both push URL families the server accepts:
/// <c>/api/push/{token}</c> (Uptime Kuma / Tianji style: everything in the query) and
/// <c>/ping/{token}</c> (Healthchecks style: the outcome in the path, the message as the body).
/// Any URL whose path does not contain <c>/api/push/</c> is treated as the Healthchecks family.
/// </summary>
public static class PushRequests
{
    /// <summary>True when <paramref name="url"/> is an <c>/api/push/{token}</c> URL.</summary>
    public static bool IsApiPushUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.AbsolutePath.Contains("/api/push/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A single signal. For <c>/api/push</c> URLs status, msg, value and ping go in the query.
    /// For <c>/ping</c> URLs a down signal goes to <c>/fail</c>, the message is the body, and
    /// value and ping have no place (they are left out).
    /// </summary>
    public static PushRequest Signal(Uri url, PushSignal signal)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(signal);
        if (IsApiPushUrl(url))
        {
            var query = new List<(string, string)> { ("status", signal.Up ? "up" : "down") };
            if (signal.Message is not null)
            {
                query.Add(("msg", signal.Message));
            }
            if (signal.Value is { } value)
            {
                query.Add(("value", value.ToString("R", CultureInfo.InvariantCulture)));
            }
            if (signal.PingMs is { } ping)
            {
                query.Add(("ping", ping.ToString("R", CultureInfo.InvariantCulture)));
            }
            return new PushRequest(HttpMethod.Get, WithQuery(url, query));
        }
        var target = signal.Up ? url : WithSuffix(url, "fail");
        return new PushRequest(HttpMethod.Post, target, signal.Message);
    }

    /// <summary>
    /// The start of a run (<c>/ping/{token}/start?rid=...</c>). For <c>/api/push</c> URLs, which
    /// have no notion of runs, this returns null: there is nothing to send.
    /// </summary>
    public static PushRequest? Start(Uri url, Guid runId)
    {
        ArgumentNullException.ThrowIfNull(url);
        return IsApiPushUrl(url)
            ? null
            : new PushRequest(HttpMethod.Post, WithQuery(WithSuffix(url, "start"), [("rid", runId.ToString())]), "");
    }

    /// <summary>
    /// The end of a run with the job's exit status (<c>/ping/{token}/{status}?rid=...</c>, 0 is
    /// success) and the tail of its output as the body. For <c>/api/push</c> URLs the status
    /// becomes up or down and the message names the exit status.
    /// </summary>
    public static PushRequest Finish(Uri url, int exitStatus, Guid runId, string? output)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentOutOfRangeException.ThrowIfNegative(exitStatus);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exitStatus, 255);
        if (IsApiPushUrl(url))
        {
            var message = $"exit status {exitStatus}";
            var lastLine = LastLine(output);
            if (lastLine is not null)
            {
                message += ": " + lastLine;
            }
            return Signal(url, new PushSignal(exitStatus == 0, message));
        }
        var target = WithQuery(WithSuffix(url, exitStatus.ToString(CultureInfo.InvariantCulture)), [("rid", runId.ToString())]);
        return new PushRequest(HttpMethod.Post, target, output ?? "");
    }

    private static string? LastLine(string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }
        var trimmed = output.TrimEnd();
        var start = trimmed.LastIndexOf('\n') + 1;
        var line = trimmed[start..].Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    private static Uri WithSuffix(Uri url, string suffix)
    {
        var builder = new UriBuilder(url);
        builder.Path = builder.Path.TrimEnd('/') + "/" + suffix;
        return builder.Uri;
    }

    private static Uri WithQuery(Uri url, IEnumerable<(string Name, string Value)> parameters)
    {
        var builder = new UriBuilder(url);
        var query = new StringBuilder(builder.Query.TrimStart('?'));
        foreach (var (name, value) in parameters)
        {
            if (query.Length > 0)
            {
                query.Append('&');
            }
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        builder.Query = query.ToString();
        return builder.Uri;
    }
}
