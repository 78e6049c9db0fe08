namespace Lifeline.Core;

/// <summary>
/// The monitors this node sweeps (deadlines and active checks), as shards: a monitor's shard is a
/// hash of its id, <see cref="Count"/> shards in all. A node alone on its store sweeps every shard.
/// In a cluster the coordinator sets the shards whose leases the node holds.
/// </summary>
/// <remarks>
/// The share divides work; it is not what keeps a monitor from being decided twice. Every flip and
/// every check result is written with the monitor row locked and decided again on the row as it is
/// (a compare-and-swap), so two nodes that both sweep a shard during a hand-over still flip each
/// monitor once.
/// </remarks>
public sealed class NodeShare
{
    /// <summary>Shards in all. Changing it moves monitors between shards, nothing else.</summary>
    public const int Count = 64;

    private volatile int[]? _shards;

    /// <summary>A share of every shard (a node alone on its store).</summary>
    public static NodeShare All() => new();

    /// <summary>Null when this node sweeps every shard; else the shards it sweeps (possibly none).</summary>
    public IReadOnlyList<int>? Shards => _shards;

    /// <summary>True when this node sweeps every shard.</summary>
    public bool IsAll => _shards is null;

    public void SetAll() => _shards = null;

    public void Set(IEnumerable<int> shards) => _shards = [.. shards.Order()];

    /// <summary>The lease name of a shard.</summary>
    public static string LeaseName(int shard) => $"shard:{shard:00}";

    /// <summary>The shard of a lease name, or null for another lease.</summary>
    public static int? ShardOf(string leaseName) =>
        leaseName.StartsWith("shard:", StringComparison.Ordinal) && int.TryParse(leaseName.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture, out var shard)
            ? shard
            : null;
}
