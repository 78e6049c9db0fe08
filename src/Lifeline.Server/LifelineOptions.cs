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

    /// <summary>
    /// Most inbound connections open at once (Kestrel's MaxConcurrentConnections, and upgraded
    /// ones); lowered at start to fit the open-file limit, keeping a quarter of it (at least 128)
    /// for the database and outgoing connections [10000].
    /// </summary>
    public long MaxConnections { get; set; } = 10_000;

    /// <summary>An idle connection, or one that sends nothing at all, is closed after this many seconds [30].</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds a client has to send a request's headers once it started [10].</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Slowest request body accepted, in bytes per second after the grace period; 0 = no minimum [240].</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Slowest reader of a response accepted, in bytes per second after the grace period; 0 = no minimum [240].</summary>
    public int MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds before the two minimum data rates apply [5].</summary>
    public int MinDataRateGraceSeconds { get; set; } = 5;

    /// <summary>Largest request body on any route, in bytes; routes may set lower limits [1048576].</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Largest total size of a request's headers, in bytes [32768].</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>Most headers in one request [100].</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Most notices being sent at once, over all channels; each channel sends one at a time, in order [32].</summary>
    public int DispatchConcurrency { get; set; } = 32;

    /// <summary>
    /// Time limit of one attempt to send a notice, in milliseconds [10000]. A receiver that does not
    /// answer in time counts as a failed attempt and is retried with backoff.
    /// </summary>
    public int DispatchTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// On PostgreSQL: how long a node may go without checking in before the others take over its
    /// monitors, its Telegram poller and the notices it was sending, in seconds [10]. Takeover after a
    /// crash takes at most this plus <see cref="ClusterCheckInSeconds"/>.
    /// </summary>
    public int ClusterLeaseSeconds { get; set; } = 10;

    /// <summary>How often a node checks in and renews its leases, in seconds [2]; less than a third of <see cref="ClusterLeaseSeconds"/>.</summary>
    public int ClusterCheckInSeconds { get; set; } = 2;

    /// <summary>The address other nodes and the status list show for this node [the first listen URL, with the host name for a wildcard].</summary>
    public string? NodeAddress { get; set; }

    /// <summary>
    /// The notice grouping window, in seconds [10]; 0 turns grouping off. After a channel was sent a
    /// down (or up) notice, its next ones of that type within this time go together as one notice.
    /// A channel's own <c>groupSeconds</c> overrides it; webhook and PagerDuty channels group only when they set it.
    /// </summary>
    public int NoticeGroupSeconds { get; set; } = 10;

    /// <summary>
    /// A monitor with <c>dependsOn</c> that goes down while its parents all look healthy holds its
    /// down notice until each parent has been heard from since, or for at most this many seconds;
    /// a parent found down meanwhile holds it for good [60]. 0 sends it at the next sweep.
    /// </summary>
    public int DependencyWaitSeconds { get; set; } = 60;

    /// <summary>
    /// Status pages and badges are served from a cache made again at least this often, in seconds,
    /// besides at once on a change seen by this node (so changes made on other nodes show within it) [10].
    /// </summary>
    public int StatusPageCacheSeconds { get; set; } = 10;

    /// <summary>How often the web app's live feed reads the state of the monitors on open pages, in milliseconds [2000].</summary>
    public int AppLiveIntervalMs { get; set; } = 2000;

    /// <summary>Failed sign-ins allowed per client address and per username within <see cref="SignInWindowSeconds"/>; then refused until the oldest is that old. 0 turns the limit off [5].</summary>
    public int SignInFailures { get; set; } = 5;

    /// <summary>The window failed sign-ins are counted in, in seconds [900].</summary>
    public int SignInWindowSeconds { get; set; } = 900;

    /// <summary>
    /// How long a node trusts what it last read of a signed-in user, in seconds [5]: a user deleted,
    /// or whose password or role changed, on another node of a cluster is signed out within this.
    /// </summary>
    public int SessionRecheckSeconds { get; set; } = 5;

    /// <summary>A probe that has not called for this long, in seconds, loses its checks to the other probes of its location [45].</summary>
    public int ProbeLeaseSeconds { get; set; } = 45;

    /// <summary>Longest time, in seconds, a probe's poll for assignments is held open when nothing changes [25].</summary>
    public int ProbePollSeconds { get; set; } = 25;

    /// <summary>Most results in one batch from a probe [1000].</summary>
    public int ProbeBatchMax { get; set; } = 1000;

    /// <summary>Largest result batch from a probe, in bytes [16 MiB].</summary>
    public long ProbeBatchMaxBytes { get; set; } = 16 << 20;

    /// <summary>A location none of whose probes has called for this long, in seconds, is reported silent (its watch monitor goes down) [120].</summary>
    public int LocationSilenceSeconds { get; set; } = 120;

    /// <summary>
    /// A YAML file declaring monitors, channels and status pages (config as code), applied at start and
    /// whenever it changes; monitors from it are read-only elsewhere [none].
    /// </summary>
    public string? Config { get; set; }

    /// <summary>How often the config file is read again even when no change was noticed, in seconds [30].</summary>
    public int ConfigRereadSeconds { get; set; } = 30;

    /// <summary>After a change of the config file is noticed, how long it must stay unchanged before it is applied, in milliseconds [500].</summary>
    public int ConfigDebounceMs { get; set; } = 500;
}

/// <summary>Reports every problem with the options at once, at start.</summary>
internal sealed class LifelineOptionsValidator : IValidateOptions<LifelineOptions>
{
    public ValidateOptionsResult Validate(string? name, LifelineOptions options)
    {
        var errors = new List<string>();
        if (options.ProbeLeaseSeconds is < 5 or > 3600)
        {
            errors.Add("Lifeline:ProbeLeaseSeconds must be between 5 and 3600");
        }
        if (options.ProbePollSeconds is < 1 or > 300)
        {
            errors.Add("Lifeline:ProbePollSeconds must be between 1 and 300");
        }
        if (options.ProbeBatchMax is < 1 or > 100_000)
        {
            errors.Add("Lifeline:ProbeBatchMax must be between 1 and 100000");
        }
        if (options.ProbeBatchMaxBytes is < 1024 or > 1L << 30)
        {
            errors.Add("Lifeline:ProbeBatchMaxBytes must be between 1024 and 1073741824");
        }
        if (options.LocationSilenceSeconds is < 10 or > 86_400)
        {
            errors.Add("Lifeline:LocationSilenceSeconds must be between 10 and 86400");
        }
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
        if (options.MaxConnections is < 1 or > 1_000_000)
        {
            errors.Add("Lifeline:MaxConnections must be between 1 and 1000000");
        }
        if (options.KeepAliveTimeoutSeconds is < 1 or > 3600)
        {
            errors.Add("Lifeline:KeepAliveTimeoutSeconds must be between 1 and 3600");
        }
        if (options.RequestHeadersTimeoutSeconds is < 1 or > 600)
        {
            errors.Add("Lifeline:RequestHeadersTimeoutSeconds must be between 1 and 600");
        }
        if (options.MinRequestBodyBytesPerSecond is < 0 or > 1_000_000_000)
        {
            errors.Add("Lifeline:MinRequestBodyBytesPerSecond must be between 0 (no minimum) and 1000000000");
        }
        if (options.MinResponseBytesPerSecond is < 0 or > 1_000_000_000)
        {
            errors.Add("Lifeline:MinResponseBytesPerSecond must be between 0 (no minimum) and 1000000000");
        }
        if (options.MinDataRateGraceSeconds is < 1 or > 600)
        {
            errors.Add("Lifeline:MinDataRateGraceSeconds must be between 1 and 600");
        }
        if (options.MaxRequestBodyBytes is < 1024 or > 1L << 30)
        {
            errors.Add("Lifeline:MaxRequestBodyBytes must be between 1024 and 1073741824");
        }
        if (options.MaxRequestHeadersBytes is < 1024 or > 1 << 20)
        {
            errors.Add("Lifeline:MaxRequestHeadersBytes must be between 1024 and 1048576");
        }
        if (options.MaxRequestHeaderCount is < 1 or > 10_000)
        {
            errors.Add("Lifeline:MaxRequestHeaderCount must be between 1 and 10000");
        }
        // Kestrel refuses bodies over the global cap before a route sees them: the push limits live under it.
        if (options.PushBodyLimit > options.MaxRequestBodyBytes || options.MaxPingRequestBytes > options.MaxRequestBodyBytes)
        {
            errors.Add("Lifeline:PushBodyLimit and Lifeline:MaxPingRequestBytes must not exceed Lifeline:MaxRequestBodyBytes");
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
        if (options.ClusterLeaseSeconds is < 3 or > 300)
        {
            errors.Add("Lifeline:ClusterLeaseSeconds must be between 3 and 300");
        }
        if (options.ClusterCheckInSeconds < 1 || options.ClusterCheckInSeconds * 3 > options.ClusterLeaseSeconds)
        {
            errors.Add("Lifeline:ClusterCheckInSeconds must be at least 1 and at most a third of Lifeline:ClusterLeaseSeconds");
        }
        if (options.DependencyWaitSeconds is < 0 or > 3600)
        {
            errors.Add("Lifeline:DependencyWaitSeconds must be between 0 and 3600");
        }
        if (options.NoticeGroupSeconds is < 0 or > NoticeGrouping.MaxSeconds)
        {
            errors.Add($"Lifeline:NoticeGroupSeconds must be between 0 (off) and {NoticeGrouping.MaxSeconds}");
        }
        if (options.StatusPageCacheSeconds is < 1 or > 3600)
        {
            errors.Add("Lifeline:StatusPageCacheSeconds must be between 1 and 3600");
        }
        if (options.AppLiveIntervalMs is < 100 or > 60_000)
        {
            errors.Add("Lifeline:AppLiveIntervalMs must be between 100 and 60000");
        }
        if (options.SignInFailures is < 0 or > 1000)
        {
            errors.Add("Lifeline:SignInFailures must be between 0 (off) and 1000");
        }
        if (options.SignInWindowSeconds is < 1 or > 86_400)
        {
            errors.Add("Lifeline:SignInWindowSeconds must be between 1 and 86400");
        }
        if (options.SessionRecheckSeconds is < 0 or > 300)
        {
            errors.Add("Lifeline:SessionRecheckSeconds must be between 0 and 300");
        }
        if (options.ConfigRereadSeconds is < 1 or > 86_400)
        {
            errors.Add("Lifeline:ConfigRereadSeconds must be between 1 and 86400");
        }
        if (options.ConfigDebounceMs is < 0 or > 60_000)
        {
            errors.Add("Lifeline:ConfigDebounceMs must be between 0 and 60000");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
