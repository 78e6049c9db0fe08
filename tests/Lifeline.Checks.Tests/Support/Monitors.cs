namespace Lifeline.Checks.Tests.Support;

internal static class Monitors
{
    public static Monitor Active(MonitorKind kind, string target, params string[] conditions) => new()
    {
        Id = "m-1",
        Name = "probe under test",
        Kind = kind,
        Target = target,
        Conditions = conditions,
        Timeout = TimeSpan.FromSeconds(5),
    };
}
