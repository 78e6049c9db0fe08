using Lifeline.Checks;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// Checks an active monitor's target and conditions with the probe library's own rules, so a bad
/// condition is a 400 that names it and the position of the problem.
/// </summary>
internal sealed class CheckMonitorValidator : IMonitorValidator
{
    public IEnumerable<string> Validate(Monitor monitor)
    {
        if (monitor.Kind == MonitorKind.Push)
        {
            return [];
        }
        var errors = CheckDefinition.Validate(monitor);
        // Without a target the input reader has already said so once.
        return string.IsNullOrWhiteSpace(monitor.Target) ? errors.Where(e => !e.StartsWith("target:", StringComparison.Ordinal)) : errors;
    }
}
