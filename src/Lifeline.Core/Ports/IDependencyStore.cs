namespace Lifeline.Core;

/// <summary>The monitors' dependency graph and the monitors whose down notice it holds.</summary>
public interface IDependencyStore
{
    /// <summary>Every monitor that depends on another (its <see cref="Monitor.DependsOn"/> is not empty).</summary>
    Task<IReadOnlyList<DependencyNode>> DependantsAsync(CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> monitors whose down notice is held (<see cref="Monitor.SuppressedBy"/> set).</summary>
    Task<IReadOnlyList<Monitor>> HeldAsync(int max, CancellationToken ct);
}
