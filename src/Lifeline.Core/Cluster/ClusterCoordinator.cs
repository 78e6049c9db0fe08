using Microsoft.Extensions.Logging;

namespace Lifeline.Core;

/// <summary>Settings of the cluster coordinator.</summary>
public sealed record ClusterOptions
{
    /// <summary>How often a node checks in and renews its leases [2 s].</summary>
    public TimeSpan CheckInEvery { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a lease lasts without renewal, and how long a node may be silent before the others
    /// count it gone and take over its share [10 s]. Takeover after a crash takes at most this plus
    /// <see cref="CheckInEvery"/>.
    /// </summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the row of a gone node is kept, for status pages [24 h].</summary>
    public TimeSpan ForgetAfter { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Work that one node at a time does, by lease name (e.g. the Telegram poller).</summary>
    public IReadOnlyList<string> Singletons { get; init; } = [];
}

/// <summary>
/// Keeps this node's place in the cluster: checks in, renews its leases, takes its fair share of
/// the monitor shards (all shards over the live nodes), gives back what is more than that when
/// another node joins, and takes singleton work that nobody holds. A node alone on its store
/// (SQLite) sweeps everything and holds every singleton without leases.
/// </summary>
public sealed class ClusterCoordinator(IClusterStore store, NodeInfo self, NodeShare share, TimeProvider clock, ClusterOptions options, ILogger<ClusterCoordinator> logger)
{
    private volatile IReadOnlyList<NodeInfo> _nodes = [];
    private volatile HashSet<string> _held = new(StringComparer.Ordinal);
    private bool _forgotPrevious;
    private DateTimeOffset _lastForget = DateTimeOffset.MinValue;

    /// <summary>This node.</summary>
    public NodeInfo Self => self;

    /// <summary>The nodes as of the last check-in (this one included).</summary>
    public IReadOnlyList<NodeInfo> Nodes => _nodes;

    /// <summary>When this node last checked in; null before the first time.</summary>
    public DateTimeOffset? LastCheckInAt { get; private set; }

    /// <summary>True when a node other than this one was alive at the last check-in.</summary>
    public bool OthersAlive => _nodes.Any(n => n.Id != self.Id && IsAlive(n, clock.GetUtcNow()));

    /// <summary>Whether a node's last check-in is recent enough to count it alive.</summary>
    public bool IsAlive(NodeInfo node, DateTimeOffset now) => node.Id == self.Id || now - node.LastSeenAt < options.LeaseTtl;

    /// <summary>True when this node does the named singleton work now.</summary>
    public bool Holds(string singleton) => !store.Shared || _held.Contains(singleton);

    /// <summary>One check-in: renew, rebalance, publish the share.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await store.CheckInAsync(self with { LastSeenAt = now }, ct);
        if (!store.Shared)
        {
            if (!_forgotPrevious)
            {
                // Alone on the store: rows of earlier runs are runs of this same server.
                await store.ForgetNodesAsync(self.StartedAt, ct);
                _forgotPrevious = true;
            }
            share.SetAll();
            _nodes = await store.NodesAsync(ct);
            LastCheckInAt = now;
            return;
        }

        var nodes = await store.NodesAsync(ct);
        var alive = Math.Max(1, nodes.Count(n => IsAlive(n, now)));
        var held = (await store.RenewAsync(self.Id, now, options.LeaseTtl, ct)).ToHashSet(StringComparer.Ordinal);
        var shards = held.Select(NodeShare.ShardOf).OfType<int>().ToHashSet();
        var fair = (NodeShare.Count + alive - 1) / alive;
        var preference = Preference();
        if (shards.Count > fair)
        {
            // Another node joined: give back the shards this node prefers least.
            var extra = preference.Where(shards.Contains).Reverse().Take(shards.Count - fair).ToList();
            await store.ReleaseAsync(self.Id, [.. extra.Select(NodeShare.LeaseName)], ct);
            shards.ExceptWith(extra);
            held.ExceptWith(extra.Select(NodeShare.LeaseName));
            logger.LogInformation("Gave back {Count} shards for {Alive} nodes; sweeping {Mine}", extra.Count, alive, shards.Count);
        }
        else if (shards.Count < fair)
        {
            var wanted = preference.Where(s => !shards.Contains(s)).Select(NodeShare.LeaseName).ToList();
            var taken = await store.AcquireAsync(self.Id, wanted, fair - shards.Count, now, options.LeaseTtl, ct);
            if (taken.Count > 0)
            {
                foreach (var name in taken)
                {
                    held.Add(name);
                    shards.Add(NodeShare.ShardOf(name)!.Value);
                }
                logger.LogInformation("Took {Count} shards ({Alive} nodes alive); sweeping {Mine} of {All}", taken.Count, alive, shards.Count, NodeShare.Count);
            }
        }
        foreach (var singleton in options.Singletons.Where(s => !held.Contains(s)))
        {
            if ((await store.AcquireAsync(self.Id, [singleton], 1, now, options.LeaseTtl, ct)).Count > 0)
            {
                held.Add(singleton);
                logger.LogInformation("This node now does {Work}", singleton);
            }
        }
        share.Set(shards);
        _held = held;
        _nodes = nodes;
        LastCheckInAt = now;
        if (now - _lastForget >= TimeSpan.FromMinutes(10))
        {
            await store.ForgetNodesAsync(now - options.ForgetAfter, ct);
            _lastForget = now;
        }
    }

    /// <summary>A clean stop: gives up every lease and the node's row, so others take over at once.</summary>
    public async Task LeaveAsync(CancellationToken ct)
    {
        _held = new HashSet<string>(StringComparer.Ordinal);
        share.Set([]);
        await store.LeaveAsync(self.Id, ct);
    }

    /// <summary>
    /// The order in which this node tries shards: all of them, starting at a place set by its id, so
    /// that nodes starting together mostly reach for different shards.
    /// </summary>
    private List<int> Preference()
    {
        var start = (int)(StableHash(self.Id) % NodeShare.Count);
        return [.. Enumerable.Range(0, NodeShare.Count).Select(i => (start + i) % NodeShare.Count)];
    }

    private static uint StableHash(string text)
    {
        // FNV-1a: string.GetHashCode differs between processes.
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
