using Lifeline.Storage.Conformance;

namespace Lifeline.Storage.Sqlite.Tests;

// The store conformance suite on SQLite: each class runs the port's tests on a fresh file.

public sealed class SqliteMonitorStoreTests : MonitorStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteOutboxStoreTests : OutboxStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteChannelStoreTests : ChannelStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteSettingsStoreTests : SettingsStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteCheckHistoryStoreTests : CheckHistoryStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteSweepTests : SweepTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteDispatchTests : DispatchTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteClusterStoreTests : ClusterStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteDependencyTests : DependencyTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteMaintenanceStoreTests : MaintenanceStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteStatusPageStoreTests : StatusPageStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteMonitorOverviewStoreTests : MonitorOverviewStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteUserStoreTests : UserStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}

public sealed class SqliteLocationStoreTests : LocationStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}
