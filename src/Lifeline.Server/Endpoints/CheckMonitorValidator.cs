using Lifeline.Checks;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// Checks an active monitor's target and conditions with the probe library's own rules, so a bad
/// condition is a 400 that names it and the position of the problem.
/// </summary>
internal sealed class CheckMonitorValidator : IMonitorValidator
{
    public IEnumerable<FieldError> Validate(Monitor monitor)
    {
        if (monitor.Kind == MonitorKind.Push)
        {
            return [];
        }
        // The probe library names the field first in each message (target: ..., conditions[1]: ...).
        var errors = CheckDefinition.Validate(monitor).Select(e => FieldError.FromPrefixed(e, "target"));
        // Without a target the input reader has already said so once.
        return string.IsNullOrWhiteSpace(monitor.Target) ? errors.Where(e => e.Field != "target") : errors;
    }
}
