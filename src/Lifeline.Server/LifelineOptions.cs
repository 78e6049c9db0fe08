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

    /// <summary>Largest body a <c>/api/push</c> request may carry (JSON or form fields), in bytes; larger ones answer 413 [65536].</summary>
    public int PushBodyLimit { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest body a <c>/ping</c> request may send, in bytes; larger ones answer 413. What is stored is
    /// still cut to <see cref="PingBodyLimit"/> [1048576].
    /// </summary>
    public int MaxPingRequestBytes { get; set; } = 1024 * 1024;

    /// <summary><c>?create=1</c> creates a monitor only while fewer than this many exist; beyond, 403 (0 turns auto-creation off) [10000].</summary>
    public int AutoCreateLimit { get; set; } = 10_000;

    /// <summary>
    /// Unknown push tokens (404 answers) one client address may try per minute; past that its push
    /// requests answer 429, except to tokens it has used successfully since. 0 turns the limit off [60].
    /// </summary>
    public int PushNotFoundPerMinute { get; set; } = 60;

    /// <summary>Whether <see cref="PushNotFoundPerMinute"/> applies to loopback clients too [true].</summary>
    public bool RateLimitLoopback { get; set; } = true;
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
        if (options.PushBodyLimit is < 1024 or > 10_000_000)
        {
            errors.Add("Lifeline:PushBodyLimit must be between 1024 and 10000000 bytes");
        }
        if (options.MaxPingRequestBytes < options.PingBodyLimit || options.MaxPingRequestBytes > 100_000_000)
        {
            errors.Add("Lifeline:MaxPingRequestBytes must be at least Lifeline:PingBodyLimit and at most 100000000 bytes");
        }
        if (options.AutoCreateLimit < 0)
        {
            errors.Add("Lifeline:AutoCreateLimit must be 0 or more");
        }
        if (options.PushNotFoundPerMinute is < 0 or > 1_000_000)
        {
            errors.Add("Lifeline:PushNotFoundPerMinute must be between 0 (off) and 1000000");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
