using Lifeline.Checks.Conditions;

namespace Lifeline.Checks;

/// <summary>
/// The result of one active check. <see cref="Message"/> is a short summary when it passed, and
/// otherwise every failed condition with the value seen, as in <c>[STATUS] (500) == 200</c>,
/// followed by the probe's error when it could not finish.
/// </summary>
public sealed record CheckOutcome
{
    public required bool Ok { get; init; }
    public required string Message { get; init; }

    /// <summary>How long the check took, in milliseconds.</summary>
    public required long DurationMs { get; init; }

    public required IReadOnlyList<ConditionResult> ConditionResults { get; init; }

    /// <summary>Everything the probe saw; null when the monitor could not be checked at all (invalid definition).</summary>
    public Observation? Observation { get; init; }

    /// <summary>When the check ended, from the runner's clock.</summary>
    public required DateTimeOffset At { get; init; }
}
