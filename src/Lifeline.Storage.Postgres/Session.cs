using System.Data.Common;
using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>One connection, with the transaction its commands run in (none for plain reads).</summary>
internal sealed class Session(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
{
    public CancellationToken Ct => ct;

    public NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            // PostgreSQL text cannot hold U+0000 (SQLite can): it is stored as U+FFFD, like a lone surrogate.
            command.Parameters.AddWithValue(name, value is string text && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>A batch of statements for this connection and transaction, sent in one round trip.</summary>
    public NpgsqlBatch Batch() => new(connection, transaction);

    public async Task<int> ExecAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }
        return rows;
    }
}
