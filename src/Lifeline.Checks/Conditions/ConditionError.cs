namespace Lifeline.Checks.Conditions;

/// <summary>
/// Why a condition does not parse. <see cref="Position"/> counts characters from 1, as an editor's
/// column does.
/// </summary>
public sealed record ConditionError(string Condition, int Position, string Reason)
{
    /// <summary>Characters of the condition shown in <see cref="ToString"/>; a longer one is cut.</summary>
    public const int ShownLength = 200;

    public override string ToString() =>
        $"\"{(Condition.Length > ShownLength ? Condition[..ShownLength] + "…" : Condition)}\": {Reason} at position {Position}";
}

/// <summary>Thrown by the parser internally; callers see <see cref="ConditionError"/>.</summary>
internal sealed class ConditionSyntaxException(int index, string reason) : Exception(reason)
{
    /// <summary>Zero-based index into the condition text.</summary>
    public int Index { get; } = index;
}
