using Lifeline.Storage.Conformance;

namespace Lifeline.Storage.Postgres.Tests;

// The store conformance suite on PostgreSQL: each class runs the port's tests on a fresh database.

public sealed class PostgresMonitorStoreTests : MonitorStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresOutboxStoreTests : OutboxStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresChannelStoreTests : ChannelStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresSettingsStoreTests : SettingsStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresCheckHistoryStoreTests : CheckHistoryStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresSweepTests : SweepTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresDispatchTests : DispatchTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresClusterStoreTests : ClusterStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresDependencyTests : DependencyTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresMaintenanceStoreTests : MaintenanceStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresStatusPageStoreTests : StatusPageStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresMonitorOverviewStoreTests : MonitorOverviewStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresUserStoreTests : UserStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}

public sealed class PostgresLocationStoreTests : LocationStoreTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await PostgresFixture.OpenAsync();
}
