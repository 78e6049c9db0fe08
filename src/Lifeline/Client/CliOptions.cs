using System.CommandLine;
using System.CommandLine.Parsing;

namespace Lifeline.Cli.Client;

/// <summary>Option and argument builders shared by the client commands.</summary>
internal static class CliOptions
{
    /// <summary>An option holding a duration: seconds ("90") or with a unit ("500ms", "30s", "5m", "1h").</summary>
    /// <remarks>The option has no default of its own (help would show it as 00:00:30); read it with <see cref="GetDuration"/>.</remarks>
    public static Option<TimeSpan> Duration(string name, string description, TimeSpan? minimum = null) =>
        new(name)
        {
            Description = description,
            HelpName = "seconds",
            CustomParser = result => Parse(result, minimum ?? TimeSpan.Zero),
        };

    /// <summary>The option's value, or <paramref name="fallback"/> when it was not given.</summary>
    public static TimeSpan? GetDuration(this ParseResult result, Option<TimeSpan> option, TimeSpan? fallback = null) =>
        result.GetResult(option) is null ? fallback : result.GetValue(option);

    /// <summary>Checks that a text is an absolute http(s) URL, or says why not.</summary>
    public static bool TryParseUrl(string? text, out Uri url, out string error)
    {
        error = "";
        if (Uri.TryCreate(text, UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return true;
        }
        error = $"'{text}' is not an absolute http:// or https:// URL";
        return false;
    }

    /// <summary>Adds a validator rejecting values that are not absolute http(s) URLs.</summary>
    public static void MustBeUrl(this Option<string?> option) =>
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is not null && !TryParseUrl(text, out _, out var error))
            {
                result.AddError($"{option.Name}: {error}.");
            }
        });

    /// <summary>Adds a validator rejecting values that are not absolute http(s) URLs.</summary>
    public static void MustBeUrl(this Argument<string> argument) =>
        argument.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is not null && !TryParseUrl(text, out _, out var error))
            {
                result.AddError($"{argument.Name}: {error}.");
            }
        });

    private static TimeSpan Parse(ArgumentResult result, TimeSpan minimum)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Durations.TryParse(text, out var duration))
        {
            if (duration >= minimum)
            {
                return duration;
            }
            result.AddError($"'{text}' is too short: the least is {Durations.Show(minimum)}.");
            return default;
        }
        result.AddError($"'{text}' is not a duration: write seconds (90) or a number with a unit (500ms, 30s, 5m, 1h).");
        return default;
    }
}
