using System.Text.Json.Nodes;

namespace Lifeline.Server.Config;

/// <summary>A place in the config file, 1-based, as problems report it (<c>file:line:col</c>).</summary>
public readonly record struct FilePosition(int Line, int Column);

/// <summary>
/// One channel, monitor or status page of the config file: its key (what ties it to what is stored),
/// its body in the admin API's JSON fields, where it starts and where each of its fields is.
/// </summary>
public sealed record ConfigItem(string Key, JsonObject Body, FilePosition At, IReadOnlyDictionary<string, FilePosition> Fields)
{
    /// <summary>Where the field is written, else where the item starts.</summary>
    public FilePosition Of(string field) => Fields.TryGetValue(field, out var at) ? at : At;
}

/// <summary>What the config file declares, read but not yet checked against the store.</summary>
public sealed record ConfigDocument(IReadOnlyList<ConfigItem> Channels, IReadOnlyList<ConfigItem> Monitors, IReadOnlyList<ConfigItem> StatusPages);
