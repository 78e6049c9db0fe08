namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>What the store refuses at open: a folder another store holds, an empty or damaged file.</summary>
public sealed class StoreStartTests
{
    [Fact]
    public async Task A_second_store_on_a_folder_in_use_is_refused_naming_the_folder_and_the_holder()
    {
        await using var fixture = await SqliteFixture.OpenAsync();

        var refused = await Should.ThrowAsync<StoreStartException>(() => SqliteFixture.Open(fixture.Folder, fixture.Clock));

        refused.Message.ShouldContain(Path.GetFullPath(fixture.Folder));
        refused.Message.ShouldContain($"pid {Environment.ProcessId}");
    }

    [Fact]
    public async Task The_folder_is_free_again_once_its_store_is_closed()
    {
        var fixture = await SqliteFixture.OpenAsync();
        await fixture.Store.DisposeAsync();

        using var held = DataFolderLock.TryAcquire(fixture.Folder, out var holder);

        held.ShouldNotBeNull();
        holder.ShouldBeNull();
    }

    [Fact]
    public void A_folder_lock_refuses_a_second_holder_until_released()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        using (var first = DataFolderLock.Acquire(folder))
        {
            DataFolderLock.TryAcquire(folder, out var holder).ShouldBeNull();
            holder.ShouldBe(Environment.ProcessId);
        }

        using var again = DataFolderLock.TryAcquire(folder, out _);
        again.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_zero_length_database_is_refused_and_left_as_it_is()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "lifeline.db");
        await File.WriteAllBytesAsync(database, []);

        var refused = await Should.ThrowAsync<StoreStartException>(() => SqliteFixture.Open(folder, new Lifeline.Testing.ManualClock()));

        refused.Message.ShouldContain("empty");
        new FileInfo(database).Length.ShouldBe(0);
        // A refused open does not keep the folder locked.
        using var free = DataFolderLock.TryAcquire(folder, out _);
        free.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_database_with_a_damaged_page_is_refused_with_the_problems_found()
    {
        var fixture = await SqliteFixture.OpenAsync();
        for (var i = 0; i < 40; i++)
        {
            await fixture.Store.AddAsync(fixture.NewPush($"m{i}"), CancellationToken.None);
        }
        await fixture.Store.DisposeAsync();
        await using (var file = new FileStream(fixture.DatabasePath, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 2 * 1024;
            await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 1024).ToArray());
        }

        var refused = await Should.ThrowAsync<StoreStartException>(() => SqliteFixture.Open(fixture.Folder, fixture.Clock));

        refused.Message.ShouldContain("damaged");
        refused.Message.ShouldContain(fixture.DatabasePath);
    }
}
