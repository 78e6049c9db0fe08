using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// A statement prepared once on the writer's connection and run through SQLite's own API, with
/// parameters bound by position. Used for the two statements every ping runs (the event insert
/// and the state update), where binding by name costs more than the statement itself. It runs in
/// whatever transaction the connection has open.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds the values to ?1, ?2, ... in order, runs the statement, and returns the rows it changed.</summary>
    public int Run(ReadOnlySpan<object?> values)
    {
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                Check(values[i] switch
                {
                    null => raw.sqlite3_bind_null(_statement, i + 1),
                    string text => raw.sqlite3_bind_text(_statement, i + 1, text),
                    long number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                    int number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                    double number => raw.sqlite3_bind_double(_statement, i + 1, number),
                    bool flag => raw.sqlite3_bind_int64(_statement, i + 1, flag ? 1 : 0),
                    var other => throw new ArgumentException($"cannot bind a {other.GetType().Name}"),
                });
            }
            var result = raw.sqlite3_step(_statement);
            if (result != raw.SQLITE_DONE)
            {
                Check(result);
            }
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result);
        }
    }

    public void Dispose() => _statement.Dispose();
}
