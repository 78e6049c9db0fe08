namespace Lifeline.Checks.Rdap;

/// <summary>Where and how <c>[DOMAIN_EXPIRATION]</c> asks registries when a domain expires.</summary>
public sealed record RdapOptions
{
    /// <summary>IANA's RDAP bootstrap file for domains, naming each top-level domain's RDAP server [https://data.iana.org/rdap/dns.json].</summary>
    public Uri BootstrapUrl { get; init; } = new("https://data.iana.org/rdap/dns.json");

    /// <summary>One RDAP server asked for every domain instead of the bootstrap's choice, such as https://rdap.org/ [none].</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>How long a domain's expiry date (and the bootstrap file) is kept before it is asked again [24 h].</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromHours(24);

    /// <summary>After a failed lookup, how long before the registry is asked again; meanwhile the last good date is used, if any [5 min].</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time limit of one lookup, bootstrap included [10 s].</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Domains kept in the cache; past this, entries are dropped oldest first [100000].</summary>
    public int MaxCached { get; init; } = 100_000;
}
