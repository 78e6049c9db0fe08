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

    private string AwayName => Name + "_away";

    /// <summary>
    /// Takes the database away while clients use it: ends their sessions and renames it, so that
    /// they find no database of this name until <see cref="BringBackAsync"/>.
    /// </summary>
    public async Task TakeAwayAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            await _server.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()");
            try
            {
                await _server.ExecuteAsync($"ALTER DATABASE {Name} RENAME TO {AwayName}");
                return;
            }
            catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.ObjectInUse && attempt < 100)
            {
                // A client connected again in between: end it too.
            }
        }
    }

    /// <summary>Gives the database back its name after <see cref="TakeAwayAsync"/>.</summary>
    public Task BringBackAsync() => _server.ExecuteAsync($"ALTER DATABASE {AwayName} RENAME TO {Name}");

    public async ValueTask DisposeAsync()
    {
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {AwayName} WITH (FORCE)");
    }
}
