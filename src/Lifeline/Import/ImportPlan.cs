using Lifeline.Client.Admin;

namespace Lifeline.Cli.Import;

/// <summary>
/// One item of the source (a monitor, check, endpoint, notification or alerting provider) and
/// what it becomes in Lifeline: a monitor, a channel, or nothing (with <see cref="Skipped"/>
/// saying why). <see cref="Notes"/> list what of a mapped item could not come along.
/// </summary>
internal sealed record ImportItem
{
    /// <summary>How the source names the item, for example <c>monitor #3 "API"</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The source's type of the item, for example <c>keyword</c> or <c>notification: telegram</c>.</summary>
    public required string SourceType { get; init; }

    /// <summary>The monitor to create, or null.</summary>
    public NewMonitor? Monitor { get; init; }

    /// <summary>The channel to create, or null.</summary>
    public NewChannel? Channel { get; init; }

    /// <summary>Why nothing is created for the item; null when it is mapped.</summary>
    public string? Skipped { get; init; }

    /// <summary>What of the item cannot be carried over, and why.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The source's key of a channel item, which monitors refer to in <see cref="ChannelKeys"/>.</summary>
    public string? Key { get; init; }

    /// <summary>A monitor's channels, as source keys of channel items.</summary>
    public IReadOnlyList<string> ChannelKeys { get; init; } = [];

    /// <summary>The monitor is paused in the source: it is paused after it is created.</summary>
    public bool Paused { get; init; }

    /// <summary>What the item becomes, in a few words.</summary>
    public string Becomes => this switch
    {
        { Skipped: not null } => "not imported",
        { Channel: { } c } => $"{c.Kind} channel \"{c.Name}\"",
        { Monitor: { } m } => $"{m.Kind} monitor \"{m.Name}\"" + m.Kind switch
        {
            "push" => m.PushToken is null ? "" : $", token {Abbreviate(m.PushToken)} kept" + (m.Slug is null ? "" : $", slug {m.Slug}"),
            _ => $" on {m.Target}",
        } + (Paused ? ", paused" : ""),
        _ => "not imported",
    };

    /// <summary>A token shown only by its first characters: the table may end up in a ticket or a chat.</summary>
    private static string Abbreviate(string token) => token.Length <= 8 ? token : token[..6] + "…";
}

/// <summary>Everything read from one source, in the order it is applied (channels before the monitors that use them).</summary>
/// <param name="Source">The source as shown to the user, for example <c>Uptime Kuma kuma.db</c>.</param>
/// <param name="Items">Channels first, then monitors.</param>
/// <param name="Remarks">Advice about the whole move (for example the ping key slug URLs need).</param>
internal sealed record ImportPlan(string Source, IReadOnlyList<ImportItem> Items, IReadOnlyList<string> Remarks);

/// <summary>Thrown when the source cannot be read at all (missing file, not a Kuma database, refused API key).</summary>
internal sealed class ImportSourceException(string message, Exception? inner = null) : Exception(message, inner);
