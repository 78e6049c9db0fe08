namespace Lifeline.Core;

/// <summary>Where an incident note on a status page stands.</summary>
public enum NoteState
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

/// <summary>Wire names of <see cref="NoteState"/> (lower case).</summary>
public static class NoteStates
{
    public static string Of(NoteState state) => state switch
    {
        NoteState.Investigating => "investigating",
        NoteState.Identified => "identified",
        NoteState.Monitoring => "monitoring",
        NoteState.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string? text, out NoteState state)
    {
        foreach (var s in Enum.GetValues<NoteState>())
        {
            if (string.Equals(Of(s), text, StringComparison.Ordinal))
            {
                state = s;
                return true;
            }
        }
        state = default;
        return false;
    }
}
