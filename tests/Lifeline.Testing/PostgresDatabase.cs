namespace Lifeline.Testing;

/// <summary>An empty database of one test on the test <see cref="PostgresServer"/>; dropped when disposed.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;

    internal PostgresDatabase(PostgresServer server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>Connects to this database as a user that owns it.</summary>
    public string ConnectionString { get; }

    public async ValueTask DisposeAsync()
    {
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
