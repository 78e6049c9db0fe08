using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lifeline.Client.Admin;

namespace Lifeline.Cli.Import;

/// <summary>Small pieces every importer shares: quoting condition text, channel settings, limits of the admin API.</summary>
internal static partial class Mapping
{
    /// <summary>The channel kinds a Lifeline server sends to.</summary>
    public const string ChannelKinds = "webhook, telegram, email, slack, discord, teams, ntfy, gotify, pagerduty";

    /// <summary>The longest timeout an active check may have on the server, in seconds.</summary>
    public const double MaxTimeout = 300;

    /// <summary>A condition literal in double quotes, with the quote and the backslash escaped as the condition language reads them.</summary>
    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A push token the server keeps as it is (8-64 characters of A-Z, a-z, 0-9, '_' and '-').</summary>
    public static bool IsKeepableToken(string? token) => token is not null && TokenPattern().IsMatch(token);

    /// <summary>A slug the server takes: lowercase letters, digits, '-' and '_', starting with a letter or digit.</summary>
    public static bool IsSlug(string? slug) => slug is not null && SlugPattern().IsMatch(slug);

    /// <summary>A channel from the non-empty settings given; null values are left out.</summary>
    public static NewChannel Channel(string kind, string name, params (string Key, JsonNode? Value)[] settings)
    {
        var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            if (value is null || (value is JsonValue v && v.TryGetValue<string>(out var text) && string.IsNullOrWhiteSpace(text)))
            {
                continue;
            }
            map[key] = value;
        }
        return new NewChannel { Kind = kind, Name = name, Settings = map };
    }

    /// <summary>Addresses in a comma- or semicolon-separated list, trimmed, empty ones dropped.</summary>
    public static JsonArray? Addresses(params string?[] lists)
    {
        var all = lists.Where(l => !string.IsNullOrWhiteSpace(l))
            .SelectMany(l => l!.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return all.Count == 0 ? null : new JsonArray([.. all.Select(a => (JsonNode)JsonValue.Create(a))]);
    }

    public static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex SlugPattern();
}
