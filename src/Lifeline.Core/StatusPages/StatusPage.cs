namespace Lifeline.Core;

/// <summary>
/// A public status page: the monitors it shows, in named groups, at <c>/status/{slug}</c>. Only the
/// names and states of the monitors listed here are ever shown on it.
/// </summary>
public sealed record StatusPage
{
    public required string Id { get; init; }
    /// <summary>Lower-case letters, digits and hyphens (see <see cref="IsValidSlug"/>).</summary>
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<StatusGroup> Groups { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Every monitor id the page shows, each once, in page order.</summary>
    public IReadOnlyList<string> MonitorIds => [.. Groups.SelectMany(g => g.Monitors).Distinct(StringComparer.Ordinal)];

    /// <summary>1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit.</summary>
    public static bool IsValidSlug(string? slug) =>
        slug is { Length: >= 1 and <= 64 } && slug[0] != '-' && slug.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
