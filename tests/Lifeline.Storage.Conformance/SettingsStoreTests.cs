namespace Lifeline.Storage.Conformance;

/// <summary>Instance settings and API keys.</summary>
public abstract class SettingsStoreTests : StoreTests
{
    [Fact]
    public async Task A_setting_is_missing_until_set_and_a_second_set_replaces_it()
    {
        (await F.Settings.GetAsync("ping.key", Ct)).ShouldBeNull();

        await F.Settings.SetAsync("ping.key", "one", Ct);
        await F.Settings.SetAsync("ping.key", "two", Ct);

        (await F.Settings.GetAsync("ping.key", Ct)).ShouldBe("two");
    }

    [Fact]
    public async Task Get_or_add_keeps_the_first_value()
    {
        (await F.Settings.GetOrAddAsync("k", "first", Ct)).ShouldBe("first");
        (await F.Settings.GetOrAddAsync("k", "second", Ct)).ShouldBe("first");
        (await F.Settings.GetAsync("k", Ct)).ShouldBe("first");
    }

    [Fact]
    public async Task Get_or_add_at_the_same_time_agrees_on_one_value()
    {
        var values = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => F.Settings.GetOrAddAsync("instance.id", $"v{i}", Ct)));

        values.Distinct().Count().ShouldBe(1);
        (await F.Settings.GetAsync("instance.id", Ct)).ShouldBe(values[0]);
    }

    [Fact]
    public async Task Api_keys_are_stored_by_hash_listed_oldest_first_and_deleted()
    {
        var hash = new byte[] { 1, 2, 3, 250 };
        await F.Settings.AddApiKeyAsync(new ApiKeyRecord("k1", "admin", hash, false, F.Clock.GetUtcNow()), Ct);
        F.Clock.Advance(TimeSpan.FromSeconds(1));
        await F.Settings.AddApiKeyAsync(new ApiKeyRecord("k2", "reader", [9], true, F.Clock.GetUtcNow()), Ct);

        var keys = await F.Settings.ApiKeysAsync(Ct);

        keys.Select(k => k.Id).ShouldBe(["k1", "k2"]);
        keys[0].Hash.ShouldBe(hash);
        keys[0].ReadOnly.ShouldBeFalse();
        keys[1].ReadOnly.ShouldBeTrue();
        keys[1].CreatedAt.ShouldBe(F.Clock.GetUtcNow());
        (await F.Settings.DeleteApiKeyAsync("k1", Ct)).ShouldBeTrue();
        (await F.Settings.DeleteApiKeyAsync("k1", Ct)).ShouldBeFalse();
        (await F.Settings.ApiKeysAsync(Ct)).Single().Id.ShouldBe("k2");
    }
}
