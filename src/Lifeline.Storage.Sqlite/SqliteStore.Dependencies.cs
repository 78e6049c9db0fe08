using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Storage.Sqlite;

/// <summary>Dependency holds and acknowledgements (migration 0008): see <see cref="Dependencies"/>.</summary>
public sealed partial class SqliteStore : IDependencyStore
{
    private const string GraphQuery = "SELECT id, name, depends_on, status FROM monitors WHERE depends_on <> '[]'";

    public async Task<IReadOnlyList<DependencyNode>> DependantsAsync(CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, GraphQuery, ReadNode);
    }

    public async Task<IReadOnlyList<Monitor>> HeldAsync(int max, CancellationToken ct)
    {
        await SyncAsync();
        using var connection = OpenReader();
        return Query(connection, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE suppressed_by IS NOT NULL ORDER BY id LIMIT @max",
            MonitorColumns.Read, ("@max", max));
    }

    /// <summary>
    /// Settles a transition's holds in the writer (whose journal is folded): reads the parents when a
    /// parent may hold its down notice, and counts the dependants of a down notice that goes out.
    /// </summary>
    private static Flip SettleHolds(WriteContext ctx, Monitor before, Flip flip)
    {
        IReadOnlyList<Monitor> parents = Dependencies.NeedsParents(flip)
            ? Query(ctx, $"SELECT {MonitorColumns.Columns} FROM monitors WHERE id IN (SELECT value FROM json_each(@ids))",
                MonitorColumns.Read, ("@ids", JsonSerializer.Serialize(flip.Next.DependsOn)))
            : [];
        flip = Acknowledgement.EndWithIncident(Dependencies.Settle(before, flip, parents));
        if (flip is { Held: false, Notice: { IsDown: true, Reminder: false } notice })
        {
            var (all, down) = Dependencies.CountBelow(flip.Next.Id, Query(ctx, GraphQuery, ReadNode));
            if (all > 0)
            {
                flip = flip with { Notice = notice with { Dependants = all, DependantsDown = down } };
            }
        }
        return flip;
    }

    private static DependencyNode ReadNode(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        JsonSerializer.Deserialize<List<string>>(r.GetString(2)) ?? [],
        WireNames.TryParseStatus(r.GetString(3), out var status) ? status : MonitorStatus.New);
}
