using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Postgres.Tests;

/// <summary>
/// Two nodes on one database: each a store of its own (own connections, own share) and a
/// coordinator, on one manual clock. The real-process version with kill -9 is in the server tests.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly ClusterOptions Options = new() { Singletons = ["telegram"] };

    private readonly ManualClock _clock = new();
    private PostgresDatabase _database = null!;
    private Node _a = null!;
    private Node _b = null!;

    private sealed record Node(PostgresStore Store, NodeShare Share, ClusterCoordinator Coordinator);

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        _a = await StartNodeAsync("node-a");
        _b = await StartNodeAsync("node-b");
    }

    public async Task DisposeAsync()
    {
        await _a.Store.DisposeAsync();
        await _b.Store.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<Node> StartNodeAsync(string id)
    {
        var share = new NodeShare();
        var store = await PostgresFixture.Open(_database.ConnectionString, _clock, nodeId: id, share: share);
        var now = _clock.GetUtcNow();
        var coordinator = new ClusterCoordinator(store, new NodeInfo(id, $"http://{id}:5080", "1.0.0", now, now), share, _clock, Options, NullLogger<ClusterCoordinator>.Instance);
        return new Node(store, share, coordinator);
    }

    private async Task RoundsAsync(int rounds, params Node[] nodes)
    {
        for (var i = 0; i < rounds; i++)
        {
            foreach (var node in nodes)
            {
                await node.Coordinator.TickAsync(Ct);
            }
            _clock.Advance(Options.CheckInEvery);
        }
    }

    [Fact]
    public async Task Two_nodes_split_the_shards_between_them_without_overlap()
    {
        await RoundsAsync(3, _a, _b);

        var a = _a.Share.Shards!;
        var b = _b.Share.Shards!;
        a.Count.ShouldBe(NodeShare.Count / 2);
        b.Count.ShouldBe(NodeShare.Count / 2);
        a.Intersect(b).ShouldBeEmpty();
        a.Union(b).Order().ShouldBe(Enumerable.Range(0, NodeShare.Count));
        (_a.Coordinator.Holds("telegram") ^ _b.Coordinator.Holds("telegram")).ShouldBeTrue("exactly one node polls Telegram");
        _a.Coordinator.Nodes.Select(n => n.Id).ShouldBe(["node-a", "node-b"]);
    }

    [Fact]
    public async Task Nodes_starting_at_the_same_moment_share_the_shards_without_failing()
    {
        // Three nodes, each reaching for the shards in its own order, all at once: taking several
        // leases in one transaction deadlocked here (PostgreSQL 40P01) and stopped a node's start.
        var c = await StartNodeAsync("node-c");
        await using var _ = c.Store;
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(_a.Coordinator.TickAsync(Ct), _b.Coordinator.TickAsync(Ct), c.Coordinator.TickAsync(Ct));
            _clock.Advance(Options.CheckInEvery);
        }

        var all = new[] { _a, _b, c }.SelectMany(n => n.Share.Shards!).ToList();
        all.Count.ShouldBe(NodeShare.Count);
        all.Distinct().Count().ShouldBe(NodeShare.Count);
        new[] { _a, _b, c }.ShouldAllBe(n => n.Share.Shards!.Count >= 20 && n.Share.Shards!.Count <= 22);
    }

    [Fact]
    public async Task Two_nodes_reaching_for_every_lease_at_once_in_opposite_orders_both_finish()
    {
        // Two nodes that start together each see themselves alone and reach for all 64 shards,
        // each from its own starting place. Several leases in one transaction deadlocked here.
        var names = Enumerable.Range(0, NodeShare.Count).Select(NodeShare.LeaseName).ToList();
        for (var round = 0; round < 5; round++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            var now = _clock.GetUtcNow();
            var taken = await Task.WhenAll(
                _a.Store.AcquireAsync("node-a", names, NodeShare.Count, now, Options.LeaseTtl, Ct),
                _b.Store.AcquireAsync("node-b", [.. names.Skip(32), .. names.Take(32)], NodeShare.Count, now, Options.LeaseTtl, Ct));

            taken.SelectMany(t => t).Order().ShouldBe(names.Order(), "every lease once");
        }
    }

    [Fact]
    public async Task Each_node_sweeps_only_its_shards_and_together_they_sweep_every_due_monitor()
    {
        await RoundsAsync(3, _a, _b);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var monitor = await _a.Store.AddAsync(NewPush($"m{i:000}"), Ct);
            await _a.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), new Signal { Kind = SignalKind.Push, At = _clock.GetUtcNow() }, Ct);
            ids.Add(monitor.Id);
        }
        _clock.Advance(TimeSpan.FromMinutes(2));

        var dueA = await _a.Store.DueAsync(MonitorKind.Push, _clock.GetUtcNow(), 1000, Ct);
        var dueB = await _b.Store.DueAsync(MonitorKind.Push, _clock.GetUtcNow(), 1000, Ct);

        dueA.ShouldNotBeEmpty();
        dueB.ShouldNotBeEmpty();
        dueA.Select(m => m.Id).Intersect(dueB.Select(m => m.Id)).ShouldBeEmpty();
        dueA.Concat(dueB).Select(m => m.Id).Order().ShouldBe(ids.Order());
    }

    [Fact]
    public async Task A_node_that_stops_checking_in_has_its_shards_and_singletons_taken_over_after_the_lease()
    {
        await RoundsAsync(3, _a, _b);
        var bHadTelegram = _b.Coordinator.Holds("telegram");

        // b dies: only a checks in from now on.
        var takenAt = (DateTimeOffset?)null;
        var diedAt = _clock.GetUtcNow();
        for (var i = 0; i < 10 && takenAt is null; i++)
        {
            await _a.Coordinator.TickAsync(Ct);
            if (_a.Share.Shards!.Count == NodeShare.Count)
            {
                takenAt = _clock.GetUtcNow();
            }
            _clock.Advance(Options.CheckInEvery);
        }

        takenAt.ShouldNotBeNull("a takes b's shards");
        (takenAt.Value - diedAt).ShouldBeLessThanOrEqualTo(Options.LeaseTtl + Options.CheckInEvery);
        (takenAt.Value - diedAt).ShouldBeGreaterThanOrEqualTo(Options.LeaseTtl - Options.CheckInEvery, "not before b's leases ran out");
        _a.Coordinator.Holds("telegram").ShouldBeTrue(bHadTelegram ? "taken over from b" : "held all along");
        _a.Coordinator.OthersAlive.ShouldBeFalse();
    }

    [Fact]
    public async Task A_node_that_joins_gets_half_the_shards_from_the_node_that_had_them_all()
    {
        await RoundsAsync(2, _a);
        _a.Share.Shards!.Count.ShouldBe(NodeShare.Count);

        await RoundsAsync(3, _a, _b);

        _a.Share.Shards!.Count.ShouldBe(NodeShare.Count / 2);
        _b.Share.Shards!.Count.ShouldBe(NodeShare.Count / 2);
    }

    [Fact]
    public async Task A_node_that_leaves_cleanly_is_taken_over_at_the_next_check_in()
    {
        await RoundsAsync(3, _a, _b);

        await _b.Coordinator.LeaveAsync(Ct);
        await RoundsAsync(1, _a);

        _a.Share.Shards!.Count.ShouldBe(NodeShare.Count);
        _a.Coordinator.Holds("telegram").ShouldBeTrue();
        _b.Share.Shards!.ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_nodes_sweeping_the_same_monitors_at_once_flip_each_once()
    {
        // During a hand-over both nodes may sweep a shard: the row lock decides each monitor once.
        var monitors = new List<Monitor>();
        await _a.Store.AddAsync(new ChannelConfig("hook", "webhook", "hook", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, _clock.GetUtcNow()), Ct);
        for (var i = 0; i < 50; i++)
        {
            var monitor = await _a.Store.AddAsync(NewPush($"m{i:00}") with { Channels = ["hook"] }, Ct);
            monitors.Add((await _a.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), new Signal { Kind = SignalKind.Push, At = _clock.GetUtcNow() }, Ct)).Monitor!);
        }
        _clock.Advance(TimeSpan.FromMinutes(5));
        var now = _clock.GetUtcNow();

        var flips = await Task.WhenAll(
            _a.Store.FlipAsync(monitors, m => MonitorMachine.OnDue(m, now), Ct),
            _b.Store.FlipAsync([.. Enumerable.Reverse(monitors)], m => MonitorMachine.OnDue(m, now), Ct));

        flips.Sum(f => f.Count(x => x.Next.Status == MonitorStatus.Down)).ShouldBe(50);
        (await _a.Store.PendingCountAsync(Ct)).ShouldBe(50, "one down notice per monitor");
    }

    [Fact]
    public async Task A_notice_claimed_by_a_node_that_died_is_claimed_again_without_waiting_for_its_lease()
    {
        await _a.Store.AddAsync(new ChannelConfig("hook", "webhook", "hook", new JsonObject { ["url"] = "http://127.0.0.1:9/" }, _clock.GetUtcNow()), Ct);
        await RoundsAsync(1, _a, _b);
        await _a.Store.EnqueueAsync("hook", new Notice
        {
            Type = Notice.TestType,
            At = _clock.GetUtcNow(),
            Reason = "test",
            Monitor = new NoticeMonitor { Id = "m1", Name = "backup", Kind = "push", Status = "up" },
        }, _clock.GetUtcNow(), Ct);
        var claimed = (await _b.Store.ClaimAsync(_clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct)).Single();

        // b is alive: its claim holds.
        _clock.Advance(TimeSpan.FromSeconds(5));
        await RoundsAsync(1, _a, _b);
        (await _a.Store.ClaimAsync(_clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct)).ShouldBeEmpty();

        // b dies: once its check-in is older than the node timeout, a takes the notice, same delivery id.
        // (The round above checked in, then moved the clock on by a check-in interval.)
        _clock.Advance(TimeSpan.FromSeconds(9) - Options.CheckInEvery);
        (await _a.Store.ClaimAsync(_clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct)).ShouldBeEmpty("b was seen 9 s ago");
        _clock.Advance(TimeSpan.FromSeconds(2));
        var again = (await _a.Store.ClaimAsync(_clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct)).Single();

        again.Id.ShouldBe(claimed.Id);
        again.DeliveryId.ShouldBe(claimed.DeliveryId);
    }

    [Fact]
    public async Task Restart_amnesty_applies_when_the_whole_cluster_was_away_and_not_when_another_node_kept_watching()
    {
        var monitor = await _a.Store.AddAsync(NewPush("m"), Ct);
        await _a.Store.RecordAsync(SignalAddress.ForToken(monitor.PushToken!), new Signal { Kind = SignalKind.Push, At = _clock.GetUtcNow() }, Ct);
        await RoundsAsync(1, _a);
        await new OutageAmnesty(_a.Store, _a.Store, _clock, _a.Coordinator).MarkTickAsync(Ct);
        _clock.Advance(TimeSpan.FromSeconds(90));

        // a is alive (it just checked in); b starts and must not forgive what a is watching.
        await RoundsAsync(1, _a);
        await _b.Coordinator.TickAsync(Ct);
        (await new OutageAmnesty(_b.Store, _b.Store, _clock, _b.Coordinator).ApplyAsync(Ct)).ShouldBe(0);

        // The whole cluster away: a starts again after both were silent past the lease.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var c = await StartNodeAsync("node-c");
        await using var _ = c.Store;
        await c.Coordinator.TickAsync(Ct);
        (await new OutageAmnesty(c.Store, c.Store, _clock, c.Coordinator).ApplyAsync(Ct)).ShouldBe(1);
    }

    private Monitor NewPush(string name) => new()
    {
        Id = Secrets.NewId(),
        Name = name,
        PushToken = Secrets.NewPushToken(),
        Period = TimeSpan.FromSeconds(60),
        Grace = TimeSpan.Zero,
        CreatedAt = _clock.GetUtcNow(),
    };
}
