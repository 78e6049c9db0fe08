using System.Data.Common;
using System.Text.Json;

namespace Lifeline.Storage.Postgres;

/// <summary>Dependency holds and acknowledgements (migration 0004): see <see cref="Dependencies"/>.</summary>
public sealed partial class PostgresStore : IDependencyStore
{
    /// <summary>The advisory lock key that edits of the dependency graph take turns under.</summary>
    private const long DependencyGraphLock = 0x4C69_6665_4465_7073;

    private const string GraphQuery = "SELECT id, name, depends_on, status FROM monitors WHERE depends_on <> '[]'";

    public Task<IReadOnlyList<DependencyNode>> DependantsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<DependencyNode>>(async s => await s.QueryAsync(GraphQuery, ReadNode), ct);

    public Task<IReadOnlyList<Monitor>> HeldAsync(int max, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Monitor>>(async s => await s.QueryAsync(
            $"SELECT {MonitorColumns.Columns} FROM monitors WHERE suppressed_by IS NOT NULL ORDER BY id LIMIT @max",
            MonitorColumns.Read, ("@max", max)), ct);

    /// <summary>
    /// Settles a transition's holds in its transaction: reads the parents when a parent may hold its
    /// down notice, and counts the dependants of a down notice that goes out. The parents are read,
    /// not locked: a parent recovering meanwhile leaves the hold to <see cref="DependencySweep"/>.
    /// </summary>
    private static async Task<Flip> SettleHoldsAsync(Session s, Monitor before, Flip flip)
    {
        IReadOnlyList<Monitor> parents = Dependencies.NeedsParents(flip)
            ? await s.QueryAsync($"SELECT {MonitorColumns.Columns} FROM monitors WHERE id = ANY(@ids)",
                MonitorColumns.Read, ("@ids", flip.Next.DependsOn.ToArray()))
            : [];
        flip = Acknowledgement.EndWithIncident(Dependencies.Settle(before, flip, parents));
        if (flip is { Held: false, Notice: { IsDown: true, Reminder: false } notice })
        {
            var (all, down) = Dependencies.CountBelow(flip.Next.Id, await s.QueryAsync(GraphQuery, ReadNode));
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
