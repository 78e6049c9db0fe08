using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Core;

/// <summary>The maintenance table's columns, shared by both stores (times in Unix milliseconds, durations in seconds).</summary>
public static class MaintenanceColumns
{
    public const string Columns = "id, name, kind, monitors, tags, start_at, end_at, schedule, duration_s, tz, effect, created_at";

    public const string Insert =
        "INSERT INTO maintenance (" + Columns + ") VALUES (@id, @name, @kind, @monitors, @tags, @start, @end, @schedule, @duration, @tz, @effect, @created)";

    public const string Update =
        "UPDATE maintenance SET name = @name, kind = @kind, monitors = @monitors, tags = @tags, start_at = @start, end_at = @end, " +
        "schedule = @schedule, duration_s = @duration, tz = @tz, effect = @effect WHERE id = @id";

    /// <summary>The same columns prefixed with a table alias.</summary>
    public static string Aliased(string alias) => string.Join(", ", Columns.Split(", ").Select(c => $"{alias}.{c}"));

    public static MaintenanceWindow Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new()
        {
            Id = r.GetString(0),
            Name = r.GetString(1),
            Kind = ParseKind(r.GetString(2)),
            Monitors = JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
            Tags = JsonSerializer.Deserialize<List<string>>(r.GetString(4)) ?? [],
            Start = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
            End = r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            Schedule = r.IsDBNull(7) ? null : r.GetString(7),
            Duration = r.IsDBNull(8) ? null : TimeSpan.FromSeconds(r.GetDouble(8)),
            Tz = r.GetString(9),
            Effect = r.GetString(10) == "pause" ? MaintenanceEffect.Pause : MaintenanceEffect.Mute,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
        };
    }

    public static (string, object?)[] Parameters(MaintenanceWindow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return
        [
            ("@id", w.Id),
            ("@name", w.Name),
            ("@kind", KindName(w.Kind)),
            ("@monitors", JsonSerializer.Serialize(w.Monitors)),
            ("@tags", JsonSerializer.Serialize(w.Tags)),
            ("@start", w.Start?.ToUnixTimeMilliseconds()),
            ("@end", w.End?.ToUnixTimeMilliseconds()),
            ("@schedule", w.Schedule),
            ("@duration", w.Duration?.TotalSeconds),
            ("@tz", w.Tz),
            ("@effect", EffectName(w.Effect)),
            ("@created", w.CreatedAt.ToUnixTimeMilliseconds()),
        ];
    }

    public static string KindName(MaintenanceKind kind) => kind switch
    {
        MaintenanceKind.Recurring => "recurring",
        MaintenanceKind.Manual => "manual",
        _ => "once",
    };

    public static string EffectName(MaintenanceEffect effect) => effect == MaintenanceEffect.Pause ? "pause" : "mute";

    private static MaintenanceKind ParseKind(string text) => text switch
    {
        "recurring" => MaintenanceKind.Recurring,
        "manual" => MaintenanceKind.Manual,
        _ => MaintenanceKind.Once,
    };
}
