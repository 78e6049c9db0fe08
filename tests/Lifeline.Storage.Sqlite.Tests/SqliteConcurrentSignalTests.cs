using Lifeline.Storage.Conformance;

namespace Lifeline.Storage.Sqlite.Tests;

public sealed class SqliteConcurrentSignalTests : ConcurrentSignalTests
{
    protected override async Task<StoreFixture> OpenStoreAsync() => await SqliteFixture.OpenAsync();
}
