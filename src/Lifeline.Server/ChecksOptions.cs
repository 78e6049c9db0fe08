using Lifeline.Checks;
using Microsoft.Extensions.Options;

namespace Lifeline.Server;

/// <summary>Active check settings, bound from <c>Lifeline:Checks</c> (environment <c>Lifeline__Checks__Name</c>). Defaults in brackets.</summary>
public sealed class ChecksOptions
{
    public const string Section = "Lifeline:Checks";

    /// <summary>Most checks running at once [64].</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>
    /// Targets that show whether this server's own network works: URLs (checked over HTTP, any
    /// status below 500 passes) or <c>host:port</c> (a TCP connect). When a check fails and every
    /// canary fails too, the result is recorded as unknown and nobody is paged [none].
    /// </summary>
    public List<string> Canary { get; set; } = [];

    /// <summary>Timeout of each canary check, in seconds [5].</summary>
    public double CanaryTimeout { get; set; } = 5;

    /// <summary>The canary monitors, built from <see cref="Canary"/>.</summary>
    public IReadOnlyList<Monitor> CanaryMonitors() =>
        [.. Canary.Select((target, i) => new Monitor
        {
            Id = $"canary-{i}",
            Name = $"canary {target}",
            Kind = IsUrl(target) ? MonitorKind.Http : MonitorKind.Tcp,
            Target = target.Trim(),
            Timeout = TimeSpan.FromSeconds(CanaryTimeout),
            Conditions = IsUrl(target) ? ["[STATUS] < 500"] : ["[CONNECTED] == true"],
        })];

    private static bool IsUrl(string target) => target.Contains("://", StringComparison.Ordinal);
}

/// <summary>Reports every problem with the check options at once, at start.</summary>
internal sealed class ChecksOptionsValidator : IValidateOptions<ChecksOptions>
{
    public ValidateOptionsResult Validate(string? name, ChecksOptions options)
    {
        var errors = new List<string>();
        if (options.Concurrency is < 1 or > 10_000)
        {
            errors.Add("Lifeline:Checks:Concurrency must be between 1 and 10000");
        }
        if (options.CanaryTimeout is < 0.1 or > 60)
        {
            errors.Add("Lifeline:Checks:CanaryTimeout must be between 0.1 and 60 seconds");
        }
        foreach (var (canary, i) in options.CanaryMonitors().Select((m, i) => (m, i)))
        {
            foreach (var problem in CheckDefinition.Validate(canary))
            {
                errors.Add($"Lifeline:Checks:Canary:{i} ('{canary.Target}'): {problem}");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
