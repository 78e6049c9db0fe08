namespace Lifeline.Core;

/// <summary>A named group of monitors on a status page, shown in this order.</summary>
public sealed record StatusGroup(string Name, IReadOnlyList<string> Monitors);
