namespace Lifeline.Core;

/// <summary>A monitor as the dependency graph sees it: its id, name, parents and status.</summary>
public sealed record DependencyNode(string Id, string Name, IReadOnlyList<string> DependsOn, MonitorStatus Status);
