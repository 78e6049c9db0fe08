using Lifeline.Testing;
using Npgsql;

namespace Lifeline.Storage.Postgres.Tests;

/// <summary>What only the PostgreSQL store has: migrations shared by servers, and its description.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_store_may_be_disposed_more_than_once_as_the_server_disposes_it_once_per_port()
    {
        await using var fixture = await PostgresFixture.OpenAsync();
        var store = await PostgresFixture.Open(fixture.ConnectionString, fixture.Clock);

        await store.DisposeAsync();
        await Should.NotThrowAsync(async () => await store.DisposeAsync());
    }

    [Fact]
    public async Task Servers_starting_together_apply_each_migration_once()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresFixture.Open(_database.ConnectionString, new ManualClock())));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
        await using var again = await PostgresFixture.Open(_database.ConnectionString, new ManualClock());

        var scripts = typeof(PostgresStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Migrations.", StringComparison.Ordinal));
        (await CountAsync("SELECT count(*) FROM schema_migrations")).ShouldBe(scripts);
        (await CountAsync("SELECT count(DISTINCT version) FROM schema_migrations")).ShouldBe(scripts);
        (await CountAsync("SELECT count(*) FROM monitors")).ShouldBe(0);
    }

    [Fact]
    public async Task The_description_names_host_database_and_user_but_never_the_password()
    {
        var options = new PostgresOptions { ConnectionString = "Host=db.example;Port=5433;Database=lifeline;Username=watch;Password=hunter2-secret" };
        await using var store = new PostgresStore(options, new ManualClock(), Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresStore>.Instance);

        var description = store.Describe();

        description.ShouldContain("db.example:5433/lifeline");
        description.ShouldContain("watch");
        description.ShouldNotContain("hunter2");
    }
}
