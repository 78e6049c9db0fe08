namespace Lifeline.Core;

/// <summary>An incident note posted on a status page by its owners (not a monitor's own incident).</summary>
public sealed record StatusNote
{
    public required string Id { get; init; }
    public required string PageId { get; init; }
    public required string Title { get; init; }
    public string Body { get; init; } = "";
    public NoteState State { get; init; } = NoteState.Investigating;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
