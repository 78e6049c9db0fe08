using Lifeline.Core.Probes;

namespace Lifeline.Storage.Conformance;

/// <summary>Locations and probes: one-time enrol tokens, hashed secrets, stored batches, re-checks, and the monitors' locations.</summary>
public abstract class LocationStoreTests : StoreTests
{
    private Location NewLocation(string name) => new(Secrets.NewId(), name, F.Clock.GetUtcNow(), null);

    private static byte[] Hash(string text) => Secrets.HashKey(text);

    [Fact]
    public async Task A_location_is_stored_and_listed_by_name_and_its_name_is_unique_without_case()
    {
        var paris = NewLocation("Paris");
        (await F.Locations.AddLocationAsync(paris, Hash("t1"), Ct)).ShouldBeTrue();
        (await F.Locations.AddLocationAsync(NewLocation("amsterdam"), Hash("t2"), Ct)).ShouldBeTrue();

        (await F.Locations.AddLocationAsync(NewLocation("PARIS"), Hash("t3"), Ct)).ShouldBeFalse();

        (await F.Locations.LocationsAsync(Ct)).Select(l => l.Name).ShouldBe(["amsterdam", "Paris"]);
        (await F.Locations.FindLocationAsync(paris.Id, Ct)).ShouldBe(paris);
        (await F.Locations.FindLocationAsync("nowhere", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task An_enrol_token_enrols_one_probe_only_and_a_new_token_enrols_the_next()
    {
        var paris = NewLocation("paris");
        await F.Locations.AddLocationAsync(paris, Hash("enrol-1"), Ct);
        var at = F.Clock.GetUtcNow();

        var first = await F.Locations.EnrollAsync(Hash("enrol-1"), "p1", "host-a", Hash("secret-a"), at, Ct);
        var again = await F.Locations.EnrollAsync(Hash("enrol-1"), "p2", "host-b", Hash("secret-b"), at, Ct);
        var wrong = await F.Locations.EnrollAsync(Hash("never-given"), "p3", "host-c", Hash("secret-c"), at, Ct);

        first.ShouldNotBeNull().LocationId.ShouldBe(paris.Id);
        again.ShouldBeNull();
        wrong.ShouldBeNull();
        (await F.Locations.SetEnrollTokenAsync(paris.Id, Hash("enrol-2"), Ct)).ShouldBeTrue();
        (await F.Locations.EnrollAsync(Hash("enrol-2"), "p2", "host-b", Hash("secret-b"), at, Ct)).ShouldNotBeNull();
        var probes = await F.Locations.ProbesAsync(Ct);
        probes.Select(p => (p.Id, p.Name)).ShouldBe([("p1", "host-a"), ("p2", "host-b")]);
        probes[0].SecretHash.ShouldBe(Hash("secret-a"));
    }

    [Fact]
    public async Task A_probe_is_seen_only_forwards_its_secret_can_be_replaced_and_deleting_the_location_takes_its_probes()
    {
        var paris = NewLocation("paris");
        await F.Locations.AddLocationAsync(paris, Hash("enrol"), Ct);
        var start = F.Clock.GetUtcNow();
        await F.Locations.EnrollAsync(Hash("enrol"), "p1", "host-a", Hash("old"), start, Ct);

        await F.Locations.SeenAsync("p1", start.AddSeconds(30), Ct);
        await F.Locations.SeenAsync("p1", start.AddSeconds(10), Ct);
        (await F.Locations.SetProbeSecretAsync("p1", Hash("new"), Ct)).ShouldBeTrue();

        var probe = (await F.Locations.FindProbeAsync("p1", Ct)).ShouldNotBeNull();
        probe.LastSeenAt.ShouldBe(start.AddSeconds(30));
        probe.SecretHash.ShouldBe(Hash("new"));
        (await F.Locations.DeleteLocationAsync(paris.Id, Ct)).ShouldBeTrue();
        (await F.Locations.FindProbeAsync("p1", Ct)).ShouldBeNull();
        (await F.Locations.DeleteLocationAsync(paris.Id, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_batch_is_remembered_per_probe_until_pruned()
    {
        var at = F.Clock.GetUtcNow();
        await F.Locations.MarkBatchAsync("p1", "b-1", at, Ct);
        await F.Locations.MarkBatchAsync("p1", "b-1", at, Ct);

        (await F.Locations.BatchSeenAsync("p1", "b-1", Ct)).ShouldBeTrue();
        (await F.Locations.BatchSeenAsync("p2", "b-1", Ct)).ShouldBeFalse();
        (await F.Locations.PruneProbeDataAsync(at.AddSeconds(1), Ct)).ShouldBe(1);
        (await F.Locations.BatchSeenAsync("p1", "b-1", Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Monitors_keep_their_locations_quorum_and_all_addresses_and_only_remote_ones_are_listed_for_probes()
    {
        var remote = await F.Monitors.AddAsync(Active("web") with { Locations = ["local", "paris", "tokyo"], Quorum = 2, AllAddresses = true }, Ct);
        await F.Monitors.AddAsync(Active("local-only"), Ct);
        await F.Monitors.AddAsync(F.NewPush("job"), Ct);

        var found = (await F.Monitors.FindAsync(remote.Id, Ct)).ShouldNotBeNull();
        found.Locations.ShouldBe(["local", "paris", "tokyo"]);
        found.Quorum.ShouldBe(2);
        found.AllAddresses.ShouldBeTrue();
        (await F.Monitors.FindByNameAsync("local-only", Ct)).ShouldNotBeNull().Locations.ShouldBe([Monitor.LocalLocation]);
        (await F.Locations.RemoteMonitorsAsync(Ct)).Select(m => m.Name).ShouldBe(["web"]);
    }

    [Fact]
    public async Task A_recheck_brings_the_monitor_forward_and_is_listed_for_the_probes()
    {
        var web = await F.Monitors.AddAsync(Active("web") with { Locations = ["local", "paris"], DueAt = F.Clock.GetUtcNow().AddSeconds(60) }, Ct);
        var now = F.Clock.GetUtcNow();

        await F.Locations.RequestRecheckAsync(web.Id, now, Ct);

        (await F.Monitors.FindAsync(web.Id, Ct)).ShouldNotBeNull().DueAt.ShouldBe(now);
        (await F.Locations.RechecksAsync(now.AddSeconds(-1), Ct))[web.Id].ShouldBe(now);
        (await F.Locations.RechecksAsync(now.AddSeconds(1), Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_location_vote_is_an_event_with_its_location_and_changes_no_state()
    {
        var web = await F.Monitors.AddAsync(Active("web") with { Locations = ["local", "paris"] }, Ct);
        var vote = new Signal { Kind = SignalKind.Check, Ok = false, At = F.Clock.GetUtcNow(), Message = "refused", Location = "paris" };

        await F.Monitors.RecordAsync(new SignalAddress { MonitorId = web.Id }, vote, Ct);

        var events = await F.Monitors.EventsAsync(web.Id, 10, Ct);
        events.ShouldHaveSingleItem().Location.ShouldBe("paris");
        events[0].Ok.ShouldBeFalse();
        (await F.Monitors.FindAsync(web.Id, Ct)).ShouldNotBeNull().Status.ShouldBe(MonitorStatus.New);
        (await F.History.RollupsAsync(web.Id, F.Clock.GetUtcNow().AddHours(-2), F.Clock.GetUtcNow().AddHours(2), Ct)).ShouldBeEmpty();
    }

    private Monitor Active(string name) => new()
    {
        Id = Secrets.NewId(),
        Name = name,
        Kind = MonitorKind.Http,
        Target = "http://127.0.0.1:9/",
        CreatedAt = F.Clock.GetUtcNow(),
        DueAt = F.Clock.GetUtcNow(),
    };
}
