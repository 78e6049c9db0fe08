using System.Text.Json;

namespace Lifeline.Storage.Postgres;

/// <summary>Active checks: hourly rollups of their results.</summary>
public sealed partial class PostgresStore
{
    private static readonly long HourMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    public Task<IReadOnlyList<CheckRollup>> RollupsAsync(string monitorId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<CheckRollup>>(async s => await s.QueryAsync(
            "SELECT monitor_id, hour, checks, failures, unknown, latency FROM check_rollups WHERE monitor_id = @m AND hour >= @from AND hour < @to ORDER BY hour",
            r => new CheckRollup(r.GetString(0), Time.From(r.GetInt64(1)), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), JsonSerializer.Deserialize<long[]>(r.GetString(5)) ?? []),
            ("@m", monitorId), ("@from", Time.Ms(from)), ("@to", Time.Ms(to))), ct);

    /// <summary>
    /// Counts one check into its hour's rollup, in the caller's transaction. The caller holds the
    /// monitor's row, so no other check of the monitor changes the rollup between read and write.
    /// </summary>
    private static async Task AddToRollupAsync(Session s, string monitorId, Signal signal)
    {
        var hour = Time.Ms(signal.At) / HourMs * HourMs;
        var stored = await s.ScalarAsync("SELECT latency FROM check_rollups WHERE monitor_id = @m AND hour = @h", ("@m", monitorId), ("@h", hour)) as string;
        var buckets = new long[LatencyHistogram.BucketCount];
        if (stored is not null && JsonSerializer.Deserialize<long[]>(stored) is { } counts)
        {
            Array.Copy(counts, buckets, Math.Min(counts.Length, buckets.Length));
        }
        // Inconclusive checks say nothing about the target's latency.
        if (!signal.Unknown)
        {
            buckets[LatencyHistogram.BucketOf(signal.DurationMs ?? 0)]++;
        }
        var failed = !signal.Ok && !signal.Unknown ? 1 : 0;
        var unknown = signal.Unknown ? 1 : 0;
        await s.ExecAsync(
            "INSERT INTO check_rollups (monitor_id, hour, checks, failures, unknown, latency) VALUES (@m, @h, 1, @f, @u, @l) " +
            "ON CONFLICT (monitor_id, hour) DO UPDATE SET checks = check_rollups.checks + 1, failures = check_rollups.failures + @f, " +
            "unknown = check_rollups.unknown + @u, latency = @l",
            ("@m", monitorId), ("@h", hour), ("@f", failed), ("@u", unknown), ("@l", JsonSerializer.Serialize(buckets)));
    }
}

