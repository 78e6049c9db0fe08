using System.Text.Json.Nodes;

namespace Lifeline.Storage.Conformance;

/// <summary>Configured channels: added, found, listed by name, updated and deleted.</summary>
public abstract class ChannelStoreTests : StoreTests
{
    private ChannelConfig Channel(string id, string name, string url) =>
        new(id, "webhook", name, new JsonObject { ["url"] = url, ["headers"] = new JsonObject { ["X-A"] = "1" } }, F.Clock.GetUtcNow());

    [Fact]
    public async Task A_channel_reads_back_with_its_settings()
    {
        await F.Channels.AddAsync(Channel("c1", "ops", "http://127.0.0.1:9/a"), Ct);

        var read = (await F.Channels.FindAsync("c1", Ct))!;

        read.Kind.ShouldBe("webhook");
        read.Name.ShouldBe("ops");
        read.Settings["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/a");
        read.Settings["headers"]!["X-A"]!.GetValue<string>().ShouldBe("1");
        read.CreatedAt.ShouldBe(F.Clock.GetUtcNow());
        (await F.Channels.FindAsync("nope", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Channels_are_listed_by_name()
    {
        await F.Channels.AddAsync(Channel("c1", "zeta", "http://127.0.0.1:9/"), Ct);
        await F.Channels.AddAsync(Channel("c2", "alpha", "http://127.0.0.1:9/"), Ct);
        await F.Channels.AddAsync(Channel("c3", "Mid", "http://127.0.0.1:9/"), Ct);

        (await F.Channels.ListAsync(Ct)).Select(c => c.Name).ShouldBe(["Mid", "alpha", "zeta"]);
    }

    [Fact]
    public async Task An_update_replaces_name_and_settings_and_a_delete_removes_the_channel()
    {
        await F.Channels.AddAsync(Channel("c1", "ops", "http://127.0.0.1:9/a"), Ct);

        var updated = await F.Channels.UpdateAsync(Channel("c1", "oncall", "http://127.0.0.1:9/b"), Ct);
        var missing = await F.Channels.UpdateAsync(Channel("c9", "ghost", "http://127.0.0.1:9/"), Ct);

        updated.ShouldNotBeNull();
        missing.ShouldBeNull();
        var read = (await F.Channels.FindAsync("c1", Ct))!;
        read.Name.ShouldBe("oncall");
        read.Settings["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:9/b");
        (await F.Channels.DeleteAsync("c1", Ct)).ShouldBeTrue();
        (await F.Channels.DeleteAsync("c1", Ct)).ShouldBeFalse();
        (await F.Channels.ListAsync(Ct)).ShouldBeEmpty();
    }
}
