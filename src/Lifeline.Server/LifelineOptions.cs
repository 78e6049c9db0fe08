using Microsoft.Extensions.Options;

namespace Lifeline.Server;

/// <summary>
/// Server settings, bound from configuration section <c>Lifeline</c> (environment
/// <c>Lifeline__Name</c>, or the <c>serve</c> command's options). Defaults in brackets.
/// </summary>
public sealed class LifelineOptions
{
    public const string Section = "Lifeline";

    /// <summary>Data folder; the SQLite file is <c>lifeline.db</c> inside it [./data].</summary>
    public string Data { get; set; } = "./data";

    /// <summary>PostgreSQL connection string; when set, used instead of SQLite.</summary>
    public string? Postgres { get; set; }

    /// <summary>Base of the push URLs shown to users [the request's own scheme and host].</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// What an acknowledged write survives: Balanced (a process crash; also power loss for all but
    /// routine pings), Power (power loss, for everything) or Process (a process crash) [Balanced].
    /// </summary>
    public string Durability { get; set; } = "Balanced";

    /// <summary>Events kept per monitor; older ones are pruned [100].</summary>
    public int EventsKept { get; set; } = 100;

    /// <summary>Days of history kept: delivered notices and their attempts, closed incidents, check rollups [90].</summary>
    public int HistoryDays { get; set; } = 90;

    /// <summary>Request bodies stored with Healthchecks-style pings are cut to this many bytes [10000].</summary>
    public int PingBodyLimit { get; set; } = 10_000;

    /// <summary>How often the deadline sweep runs, in milliseconds [250].</summary>
    public int SweepIntervalMs { get; set; } = 250;

    /// <summary>When true, /metrics needs an API key too [false].</summary>
    public bool MetricsRequireKey { get; set; }

    /// <summary>Most notices being sent at once, over all channels; each channel sends one at a time, in order [32].</summary>
    public int DispatchConcurrency { get; set; } = 32;

    /// <summary>
    /// Time limit of one attempt to send a notice, in milliseconds [10000]. A receiver that does not
    /// answer in time counts as a failed attempt and is retried with backoff.
    /// </summary>
    public int DispatchTimeoutMs { get; set; } = 10_000;
}

/// <summary>Reports every problem with the options at once, at start.</summary>
internal sealed class LifelineOptionsValidator : IValidateOptions<LifelineOptions>
{
    public ValidateOptionsResult Validate(string? name, LifelineOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Data))
        {
            errors.Add("Lifeline:Data must name a folder");
        }
        if (options.PublicUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            errors.Add($"Lifeline:PublicUrl '{url}' is not an absolute URL");
        }
        if (!Enum.TryParse<Storage.Sqlite.Durability>(options.Durability, ignoreCase: true, out _))
        {
            errors.Add($"Lifeline:Durability must be Balanced, Power or Process, not '{options.Durability}'");
        }
        if (options.EventsKept < 1)
        {
            errors.Add("Lifeline:EventsKept must be at least 1");
        }
        if (options.HistoryDays < 1)
        {
            errors.Add("Lifeline:HistoryDays must be at least 1");
        }
        if (options.PingBodyLimit is < 0 or > 10_000_000)
        {
            errors.Add("Lifeline:PingBodyLimit must be between 0 and 10000000 bytes");
        }
        if (options.SweepIntervalMs is < 10 or > 60_000)
        {
            errors.Add("Lifeline:SweepIntervalMs must be between 10 and 60000");
        }
        if (options.DispatchConcurrency is < 1 or > 1000)
        {
            errors.Add("Lifeline:DispatchConcurrency must be between 1 and 1000");
        }
        // At most a minute: a claimed notice is leased for two, and must never be claimed twice while in flight.
        if (options.DispatchTimeoutMs is < 1000 or > 60_000)
        {
            errors.Add("Lifeline:DispatchTimeoutMs must be between 1000 and 60000");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
