using Lifeline.Checks;
using Lifeline.Checks.Rdap;
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

    /// <summary>IANA's RDAP bootstrap file, naming each top-level domain's RDAP server, for <c>[DOMAIN_EXPIRATION]</c> [https://data.iana.org/rdap/dns.json].</summary>
    public string RdapBootstrapUrl { get; set; } = "https://data.iana.org/rdap/dns.json";

    /// <summary>One RDAP server asked about every domain instead of the bootstrap's choice, such as https://rdap.org/ [none].</summary>
    public string? RdapUrl { get; set; }

    /// <summary>Hours a domain's expiry date is kept before its registry is asked again [24].</summary>
    public double DomainExpiryCacheHours { get; set; } = 24;

    /// <summary>Time limit of one RDAP lookup, in seconds [10].</summary>
    public double RdapTimeout { get; set; } = 10;

    /// <summary>The RDAP settings, as the lookup takes them.</summary>
    public RdapOptions RdapOptions() => new()
    {
        BootstrapUrl = new Uri(RdapBootstrapUrl),
        BaseUrl = string.IsNullOrWhiteSpace(RdapUrl) ? null : new Uri(RdapUrl),
        CacheFor = TimeSpan.FromHours(DomainExpiryCacheHours),
        Timeout = TimeSpan.FromSeconds(RdapTimeout),
    };

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
        if (!IsHttpUrl(options.RdapBootstrapUrl))
        {
            errors.Add("Lifeline:Checks:RdapBootstrapUrl must be an absolute http:// or https:// URL");
        }
        if (!string.IsNullOrWhiteSpace(options.RdapUrl) && !IsHttpUrl(options.RdapUrl))
        {
            errors.Add("Lifeline:Checks:RdapUrl must be an absolute http:// or https:// URL");
        }
        if (options.DomainExpiryCacheHours is < 0.01 or > 24 * 30)
        {
            errors.Add("Lifeline:Checks:DomainExpiryCacheHours must be between 0.01 and 720 hours");
        }
        if (options.RdapTimeout is < 0.1 or > 120)
        {
            errors.Add("Lifeline:Checks:RdapTimeout must be between 0.1 and 120 seconds");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
}
