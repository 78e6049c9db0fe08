using Lifeline.Storage.Conformance;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Storage.Postgres.Tests;

/// <summary>A store on a fresh database of the test PostgreSQL server, opened with a manual clock.</summary>
public sealed class PostgresFixture : StoreFixture
{
    private readonly PostgresDatabase _database;

    private PostgresFixture(PostgresDatabase database, ManualClock clock, PostgresStore store)
        : base(clock)
    {
        _database = database;
        Store = store;
    }

    public PostgresStore Store { get; private set; }

    public string ConnectionString => _database.ConnectionString;

    protected override object Current => Store;

    public static async Task<PostgresFixture> OpenAsync()
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var clock = new ManualClock();
        return new PostgresFixture(database, clock, await Open(database.ConnectionString, clock));
    }

    public static async Task<PostgresStore> Open(string connectionString, TimeProvider clock, int eventsKept = 100, string? nodeId = null, NodeShare? share = null)
    {
        var store = new PostgresStore(new PostgresOptions { ConnectionString = connectionString, EventsKept = eventsKept, NodeId = nodeId }, clock, NullLogger<PostgresStore>.Instance, share);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public override async Task ReopenAsync(int? eventsKept = null)
    {
        await Store.DisposeAsync();
        Store = await Open(_database.ConnectionString, Clock, eventsKept ?? 100);
    }

    public override async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _database.DisposeAsync();
    }
}
