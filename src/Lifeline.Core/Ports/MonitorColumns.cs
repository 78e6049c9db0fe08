using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Core;

/// <summary>
/// How every store maps monitors to and from rows: one column list, one reader, one parameter set.
/// Times are Unix milliseconds, lists and maps JSON text, booleans the driver's own.
/// </summary>
public static class MonitorColumns
{
    public const string Columns =
        "id, name, slug, kind, tags, channels, status, created_at, last_signal_at, last_message, last_value, " +
        "next_deadline_at, due_at, open_incident_id, push_token, period_s, grace_s, schedule, tz, manual_resume, " +
        "run_started_at, run_rid, last_duration_ms, target, interval_s, timeout_s, retries, conditions, method, " +
        "headers, body, failure_streak, event_count, retry_interval_s, success_threshold, success_streak, " +
        "remind_every_s, notify_recovery, last_alert_at, depends_on, suppressed_by, acked_by, acked_at, badge_key, " +
        "description, ping_rules, locations, quorum, all_addresses, managed_key";

    public static readonly string Insert =
        $"INSERT INTO monitors ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => "@" + c))})";

    /// <summary>Writes every column but id, created_at and badge_key (which never change).</summary>
    public static readonly string Update =
        "UPDATE monitors SET " +
        string.Join(", ", Columns.Split(", ").Where(c => c is not ("id" or "created_at" or "badge_key")).Select(c => $"{c} = @{c}")) +
        " WHERE id = @id";

    /// <summary>The columns a transition changes; the definition stays as it is.</summary>
    public static readonly IReadOnlyList<string> StateColumns =
    [
        "status", "last_signal_at", "last_message", "last_value", "next_deadline_at", "due_at", "open_incident_id",
        "run_started_at", "run_rid", "last_duration_ms", "failure_streak", "event_count", "success_streak", "last_alert_at",
    ];

    /// <summary>Writes the state columns of a transition.</summary>
    public static readonly string UpdateState =
        "UPDATE monitors SET " + string.Join(", ", StateColumns.Select(c => $"{c} = @{c}")) + " WHERE id = @id";


    public static Monitor Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Slug = Str(r, 2),
        Kind = WireNames.TryParseKind(r.GetString(3), out var kind) ? kind : MonitorKind.Push,
        Tags = JsonSerializer.Deserialize<List<string>>(r.GetString(4)) ?? [],
        Channels = JsonSerializer.Deserialize<List<string>>(r.GetString(5)) ?? [],
        Status = WireNames.TryParseStatus(r.GetString(6), out var status) ? status : MonitorStatus.New,
        CreatedAt = From(r.GetInt64(7)),
        LastSignalAt = From(Long(r, 8)),
        LastMessage = Str(r, 9),
        LastValue = r.IsDBNull(10) ? null : r.GetDouble(10),
        NextDeadlineAt = From(Long(r, 11)),
        DueAt = From(Long(r, 12)),
        OpenIncidentId = Long(r, 13),
        PushToken = Str(r, 14),
        Period = TimeSpan.FromSeconds(r.GetDouble(15)),
        Grace = TimeSpan.FromSeconds(r.GetDouble(16)),
        Schedule = Str(r, 17),
        Tz = r.GetString(18),
        ManualResume = r.GetBoolean(19),
        RunStartedAt = From(Long(r, 20)),
        RunRid = Str(r, 21) is { } rid ? Guid.Parse(rid) : null,
        LastDurationMs = Long(r, 22),
        Target = Str(r, 23),
        Interval = TimeSpan.FromSeconds(r.GetDouble(24)),
        Timeout = TimeSpan.FromSeconds(r.GetDouble(25)),
        Retries = r.GetInt32(26),
        Conditions = JsonSerializer.Deserialize<List<string>>(r.GetString(27)) ?? [],
        Method = Str(r, 28),
        Headers = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(29)) ?? [],
        Body = Str(r, 30),
        FailureStreak = r.GetInt32(31),
        EventCount = r.GetInt32(32),
        RetryInterval = r.IsDBNull(33) ? null : TimeSpan.FromSeconds(r.GetDouble(33)),
        SuccessThreshold = r.GetInt32(34),
        SuccessStreak = r.GetInt32(35),
        RemindEvery = r.IsDBNull(36) ? null : TimeSpan.FromSeconds(r.GetDouble(36)),
        NotifyRecovery = r.GetBoolean(37),
        LastAlertAt = From(Long(r, 38)),
        DependsOn = JsonSerializer.Deserialize<List<string>>(r.GetString(39)) ?? [],
        SuppressedBy = Str(r, 40),
        AcknowledgedBy = Str(r, 41),
        AcknowledgedAt = From(Long(r, 42)),
        BadgeKey = Str(r, 43),
        Description = Str(r, 44),
        PingRules = Str(r, 45) is { } rules ? JsonSerializer.Deserialize<PingRules>(rules) ?? PingRules.None : PingRules.None,
        Locations = Str(r, 46) is { } locations ? JsonSerializer.Deserialize<List<string>>(locations) ?? [Monitor.LocalLocation] : [Monitor.LocalLocation],
        Quorum = r.IsDBNull(47) ? null : r.GetInt32(47),
        AllAddresses = r.GetBoolean(48),
        ManagedKey = Str(r, 49),
    };

    public static (string, object?)[] Parameters(Monitor m) =>
    [
        ("@id", m.Id),
        ("@name", m.Name),
        ("@slug", m.Slug),
        ("@kind", WireNames.Of(m.Kind)),
        ("@tags", JsonSerializer.Serialize(m.Tags)),
        ("@channels", JsonSerializer.Serialize(m.Channels)),
        ("@status", WireNames.Of(m.Status)),
        ("@created_at", Ms(m.CreatedAt)),
        ("@last_signal_at", Ms(m.LastSignalAt)),
        ("@last_message", m.LastMessage),
        ("@last_value", m.LastValue),
        ("@next_deadline_at", Ms(m.NextDeadlineAt)),
        ("@due_at", Ms(m.DueAt)),
        ("@open_incident_id", m.OpenIncidentId),
        ("@push_token", m.PushToken),
        ("@period_s", m.Period.TotalSeconds),
        ("@grace_s", m.Grace.TotalSeconds),
        ("@schedule", m.Schedule),
        ("@tz", m.Tz),
        ("@manual_resume", m.ManualResume),
        ("@run_started_at", Ms(m.RunStartedAt)),
        ("@run_rid", m.RunRid?.ToString()),
        ("@last_duration_ms", m.LastDurationMs),
        ("@target", m.Target),
        ("@interval_s", m.Interval.TotalSeconds),
        ("@timeout_s", m.Timeout.TotalSeconds),
        ("@retries", m.Retries),
        ("@conditions", JsonSerializer.Serialize(m.Conditions)),
        ("@method", m.Method),
        ("@headers", JsonSerializer.Serialize(m.Headers)),
        ("@body", m.Body),
        ("@failure_streak", m.FailureStreak),
        ("@event_count", m.EventCount),
        ("@retry_interval_s", m.RetryInterval?.TotalSeconds),
        ("@success_threshold", m.SuccessThreshold),
        ("@success_streak", m.SuccessStreak),
        ("@remind_every_s", m.RemindEvery?.TotalSeconds),
        ("@notify_recovery", m.NotifyRecovery),
        ("@last_alert_at", Ms(m.LastAlertAt)),
        ("@depends_on", JsonSerializer.Serialize(m.DependsOn)),
        ("@suppressed_by", m.SuppressedBy),
        ("@acked_by", m.AcknowledgedBy),
        ("@acked_at", Ms(m.AcknowledgedAt)),
        ("@badge_key", m.BadgeKey),
        ("@description", m.Description),
        ("@ping_rules", m.PingRules == PingRules.None ? null : JsonSerializer.Serialize(m.PingRules)),
        // Null for the server alone, so the probes' reads skip every such monitor (a partial index).
        ("@locations", m.IsMultiLocation ? JsonSerializer.Serialize(m.Locations) : null),
        ("@quorum", m.Quorum),
        ("@all_addresses", m.AllAddresses),
        ("@managed_key", m.ManagedKey),
    ];

    /// <summary>The monitor with a badge key: its own, or a new one when it has none yet (stores call this before inserting).</summary>
    public static Monitor WithBadgeKey(Monitor m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.BadgeKey is null ? m with { BadgeKey = Secrets.NewBadgeKey() } : m;
    }

    /// <summary>
    /// Writes the hold and acknowledgement of a monitor, which transitions change only now and then
    /// and so are not among <see cref="StateColumns"/>.
    /// </summary>
    public const string UpdateHold =
        "UPDATE monitors SET suppressed_by = @suppressed_by, acked_by = @acked_by, acked_at = @acked_at WHERE id = @id";

    public static (string, object?)[] HoldParameters(Monitor m) =>
    [
        ("@suppressed_by", m.SuppressedBy),
        ("@acked_by", m.AcknowledgedBy),
        ("@acked_at", Ms(m.AcknowledgedAt)),
        ("@id", m.Id),
    ];

    /// <summary>Whether a transition changed what <see cref="UpdateHold"/> writes but the state write leaves out.</summary>
    public static bool HoldChanged(Monitor a, Monitor b) =>
        a.SuppressedBy != b.SuppressedBy || a.AcknowledgedBy != b.AcknowledgedBy || a.AcknowledgedAt != b.AcknowledgedAt;

    /// <summary>The incident columns for holds and acknowledgements, in this order, after id, monitor_id, started_at, ended_at, reason.</summary>
    public const string IncidentColumns = "id, monitor_id, started_at, ended_at, reason, suppressed_by, acked_by, acked_at";

    public static Incident ReadIncident(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), From(r.GetInt64(2)), From(Long(r, 3)), r.GetString(4))
    {
        SuppressedBy = Str(r, 5),
        AcknowledgedBy = Str(r, 6),
        AcknowledgedAt = From(Long(r, 7)),
    };

    public static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static DateTimeOffset From(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? From(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
