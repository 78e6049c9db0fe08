using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Conformance;

/// <summary>Nodes and leases (IClusterStore), and the coordinator on one node, on a real store and a manual clock.</summary>
public abstract class ClusterStoreTests : StoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private NodeInfo Node(string id, string address = "http://a:5080") =>
        new(id, address, "1.2.3", F.Clock.GetUtcNow(), F.Clock.GetUtcNow());

    [Fact]
    public async Task A_node_checks_in_and_is_listed_with_what_it_said_and_when()
    {
        await F.Cluster.CheckInAsync(Node("node-a"), Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(2));
        await F.Cluster.CheckInAsync(Node("node-a", "http://a:6000") with { StartedAt = F.Clock.GetUtcNow() }, Ct);
        await F.Cluster.CheckInAsync(Node("node-b"), Ct);

        var nodes = await F.Cluster.NodesAsync(Ct);

        nodes.Select(n => n.Id).ShouldBe(["node-a", "node-b"]);
        var a = nodes[0];
        a.Address.ShouldBe("http://a:6000");
        a.Version.ShouldBe("1.2.3");
        a.StartedAt.ShouldBe(F.Clock.GetUtcNow() - TimeSpan.FromSeconds(2), "a check-in does not move the start time");
        a.LastSeenAt.ShouldBe(F.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Leaving_removes_the_node_and_frees_its_leases_at_once()
    {
        await F.Cluster.CheckInAsync(Node("node-a"), Ct);
        (await F.Cluster.AcquireAsync("node-a", ["shard:01", "telegram"], 5, F.Clock.GetUtcNow(), Ttl, Ct)).Count.ShouldBe(2);

        await F.Cluster.LeaveAsync("node-a", Ct);

        (await F.Cluster.NodesAsync(Ct)).ShouldBeEmpty();
        (await F.Cluster.AcquireAsync("node-b", ["shard:01", "telegram"], 5, F.Clock.GetUtcNow(), Ttl, Ct)).ShouldBe(["shard:01", "telegram"]);
    }

    [Fact]
    public async Task Forgetting_removes_only_nodes_not_seen_since()
    {
        await F.Cluster.CheckInAsync(Node("old"), Ct);
        F.Clock.Advance(TimeSpan.FromHours(2));
        await F.Cluster.CheckInAsync(Node("new"), Ct);

        (await F.Cluster.ForgetNodesAsync(F.Clock.GetUtcNow() - TimeSpan.FromHours(1), Ct)).ShouldBe(1);

        (await F.Cluster.NodesAsync(Ct)).Select(n => n.Id).ShouldBe(["new"]);
    }

    [Fact]
    public async Task A_lease_held_and_renewed_is_not_taken_and_one_let_expire_changes_hands_with_a_new_epoch()
    {
        var now = F.Clock.GetUtcNow();
        (await F.Cluster.AcquireAsync("a", ["shard:00", "shard:01", "shard:02"], 2, now, Ttl, Ct)).ShouldBe(["shard:00", "shard:01"], "at most the number asked for");
        (await F.Cluster.AcquireAsync("b", ["shard:00", "shard:01", "shard:02"], 5, now, Ttl, Ct)).ShouldBe(["shard:02"], "held leases are not taken");

        F.Clock.Advance(TimeSpan.FromSeconds(8));
        (await F.Cluster.RenewAsync("a", F.Clock.GetUtcNow(), Ttl, Ct)).Order().ShouldBe(["shard:00", "shard:01"]);
        F.Clock.Advance(TimeSpan.FromSeconds(8));
        (await F.Cluster.AcquireAsync("b", ["shard:00", "shard:01"], 5, F.Clock.GetUtcNow(), Ttl, Ct)).ShouldBeEmpty("renewed 8 s ago for 10 s");
        (await F.Cluster.RenewAsync("b", F.Clock.GetUtcNow(), Ttl, Ct)).ShouldBeEmpty("b's lease expired 6 s ago: it is not renewed, it must be taken again");

        F.Clock.Advance(TimeSpan.FromSeconds(2));
        (await F.Cluster.AcquireAsync("b", ["shard:00"], 5, F.Clock.GetUtcNow(), Ttl, Ct)).ShouldBe(["shard:00"], "a's lease ran out");
        (await F.Cluster.RenewAsync("a", F.Clock.GetUtcNow(), Ttl, Ct)).ShouldBeEmpty("a holds nothing now");

        var leases = (await F.Cluster.LeasesAsync(Ct)).ToDictionary(l => l.Name);
        leases["shard:00"].Holder.ShouldBe("b");
        leases["shard:00"].Epoch.ShouldBe(2);
        leases["shard:00"].ExpiresAt.ShouldBe(F.Clock.GetUtcNow() + Ttl);
        leases["shard:01"].Epoch.ShouldBe(1);
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_but_only_its_holder_can_release_it()
    {
        var now = F.Clock.GetUtcNow();
        await F.Cluster.AcquireAsync("a", ["telegram", "shard:05"], 5, now, Ttl, Ct);

        await F.Cluster.ReleaseAsync("b", ["telegram"], Ct);
        (await F.Cluster.AcquireAsync("b", ["telegram"], 1, now, Ttl, Ct)).ShouldBeEmpty();

        await F.Cluster.ReleaseAsync("a", ["telegram"], Ct);
        (await F.Cluster.AcquireAsync("b", ["telegram"], 1, now, Ttl, Ct)).ShouldBe(["telegram"]);
        (await F.Cluster.RenewAsync("a", now, Ttl, Ct)).ShouldBe(["shard:05"]);
    }

    [Fact]
    public async Task A_node_alone_on_its_store_is_listed_sweeps_every_shard_and_does_every_singleton()
    {
        var started = F.Clock.GetUtcNow();
        // A row left by an earlier run of the same server that did not stop cleanly.
        await F.Cluster.CheckInAsync(new NodeInfo("earlier", "http://a:5080", "1.0.0", started - TimeSpan.FromHours(1), started - TimeSpan.FromSeconds(1)), Ct);
        var share = NodeShare.All();
        var coordinator = new ClusterCoordinator(F.Cluster, new NodeInfo("me", "http://me:5080", "2.0.0", started, started), share, F.Clock,
            new ClusterOptions { Singletons = ["telegram"] }, NullLogger<ClusterCoordinator>.Instance);

        await coordinator.TickAsync(Ct);

        if (F.Cluster.Shared)
        {
            // On a shared store the earlier row may be another server: it is kept until it is old,
            // and this node takes its fair share over the two (the other is still counted alive).
            (await F.Cluster.NodesAsync(Ct)).Select(n => n.Id).ShouldBe(["earlier", "me"]);
            share.Shards!.Count.ShouldBe(NodeShare.Count / 2);
            coordinator.OthersAlive.ShouldBeTrue();
        }
        else
        {
            (await F.Cluster.NodesAsync(Ct)).Select(n => n.Id).ShouldBe(["me"]);
            share.IsAll.ShouldBeTrue();
            coordinator.OthersAlive.ShouldBeFalse();
        }
        coordinator.Holds("telegram").ShouldBeTrue();
        coordinator.Nodes.ShouldContain(n => n.Id == "me");
    }
}
