using System.Text.Json;

namespace Lifeline.Storage.Sqlite;

/// <summary>Active checks: hourly rollups of their results.</summary>
public sealed partial class SqliteStore : ICheckHistoryStore
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public Task<IReadOnlyList<CheckRollup>> RollupsAsync(string monitorId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<CheckRollup> rows = Query(connection,
            "SELECT monitor_id, hour, checks, failures, unknown, latency FROM check_rollups WHERE monitor_id = @m AND hour >= @from AND hour < @to ORDER BY hour",
            r => new CheckRollup(r.GetString(0), Time.From(r.GetInt64(1)), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), JsonSerializer.Deserialize<long[]>(r.GetString(5)) ?? []),
            ("@m", monitorId), ("@from", Time.Ms(from)), ("@to", Time.Ms(to)));
        return Task.FromResult(rows);
    }

    /// <summary>Counts one check into its hour's rollup, in the caller's transaction.</summary>
    private static void AddToRollup(WriteContext ctx, string monitorId, Signal signal)
    {
        var hourMs = Time.Ms(signal.At) / (long)Hour.TotalMilliseconds * (long)Hour.TotalMilliseconds;
        string? latencyJson;
        using (var reader = ctx.Command("SELECT latency FROM check_rollups WHERE monitor_id = @m AND hour = @h", ("@m", monitorId), ("@h", hourMs)).ExecuteReader())
        {
            latencyJson = reader.Read() ? reader.GetString(0) : null;
        }
        var buckets = new long[LatencyHistogram.BucketCount];
        if (latencyJson is not null && JsonSerializer.Deserialize<long[]>(latencyJson) is { } stored)
        {
            Array.Copy(stored, buckets, Math.Min(stored.Length, buckets.Length));
        }
        // Inconclusive checks say nothing about the target's latency.
        if (!signal.Unknown)
        {
            buckets[LatencyHistogram.BucketOf(signal.DurationMs ?? 0)]++;
        }
        var failed = !signal.Ok && !signal.Unknown ? 1 : 0;
        var unknown = signal.Unknown ? 1 : 0;
        ctx.Exec(
            "INSERT INTO check_rollups (monitor_id, hour, checks, failures, unknown, latency) VALUES (@m, @h, 1, @f, @u, @l) " +
            "ON CONFLICT (monitor_id, hour) DO UPDATE SET checks = checks + 1, failures = failures + @f, unknown = unknown + @u, latency = @l",
            ("@m", monitorId), ("@h", hourMs), ("@f", failed), ("@u", unknown), ("@l", JsonSerializer.Serialize(buckets)));
    }
}

