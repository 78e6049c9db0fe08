using System.Globalization;
using System.Net.Sockets;
using Lifeline.Storage.Postgres;
using Lifeline.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Lifeline.Storage.Copy;

/// <summary>
/// Copies a SQLite store (<c>&lt;data&gt;/lifeline.db</c>) into a PostgreSQL database, table by
/// table (<see cref="Tables"/>), column by column for the columns both have.
/// <list type="bullet">
/// <item>The SQLite store is opened as a server opens it: the data folder is locked
/// (<see cref="DataFolderLock"/>) for the whole copy, so no server can start on it meanwhile, and
/// pings still waiting in its ping log are folded into its tables first.</item>
/// <item>PostgreSQL gets its schema from <see cref="PostgresStore.MigrateAsync"/>. Rows go in batches:
/// binary COPY into a temporary table, then <c>INSERT ... ON CONFLICT DO NOTHING</c>. Each batch is
/// its own transaction, so a copy that stops half way keeps what it did and the next run goes on.</item>
/// <item>Ids are kept (incidents, outbox and deliveries with <c>OVERRIDING SYSTEM VALUE</c>, their
/// identity sequences moved past them afterwards), so <c>webhook-id</c>s and incident links stay.</item>
/// <item>Idempotent: a row whose key PostgreSQL already holds is left as it is there, even when
/// its content differs; such rows are counted (<see cref="TableCopied.Differing"/>).</item>
/// </list>
/// </summary>
public sealed class StoreCopy : IAsyncDisposable
{
    /// <summary>The database file inside the data folder.</summary>
    public const string DatabaseFile = "lifeline.db";

    /// <summary>Rows sent per batch (and per transaction) [10,000].</summary>
    public const int DefaultBatch = 10_000;

    /// <summary>
    /// The tables copied, in order. A new table that both stores have (users, status pages, ...) is
    /// one more line here. SQLite's own tables (the migration version, the ping log) are not listed.
    /// </summary>
    public static IReadOnlyList<CopiedTable> Tables { get; } =
    [
        new("monitors"),
        // Both stores keep events as a ring per monitor: event number seq sits in slot (seq - 1) % ring.
        // PostgreSQL's ring may be smaller than SQLite's: only each monitor's newest {ring} events go,
        // each to its slot in PostgreSQL's ring. Events of deleted monitors are left behind.
        new("events")
        {
            Computed = new Dictionary<string, string> { ["slot"] = "(t.seq - 1) % {ring}" },
            Filter = "WHERE t.seq > (SELECT m.event_count - {ring} FROM monitors m WHERE m.id = t.monitor_id)",
        },
        new("incidents"),
        new("channels"),
        new("outbox"),
        new("deliveries"),
        new("api_keys"),
        new("users"),
        // The SQLite store's own bookkeeping stays behind: its event ring size (PostgreSQL has its
        // own), the ping log generation and its health probe.
        new("settings") { Filter = "WHERE t.key NOT IN ('events.ring', 'pings.generation', 'store.probe')" },
        new("check_rollups"),
        new("status_pages"),
        new("status_notes"),
        new("locations"),
        new("probes"),
    ];

    private readonly SqliteStore _sqlite;
    private readonly string _sqlitePath;
    private readonly NpgsqlDataSource _postgres;
    private readonly int _batch;

    private StoreCopy(SqliteStore sqlite, string sqlitePath, NpgsqlDataSource postgres, string target, int ring, int batch)
    {
        _sqlite = sqlite;
        _sqlitePath = sqlitePath;
        _postgres = postgres;
        Target = target;
        Ring = ring;
        _batch = batch;
    }

    /// <summary>The SQLite file copied from.</summary>
    public string Source => _sqlitePath;

    /// <summary>Where the copy goes, without the password: "postgres host:port/database (user)".</summary>
    public string Target { get; }

    /// <summary>Events kept per monitor in PostgreSQL: its own ring size when it has one already, else SQLite's.</summary>
    public int Ring { get; }

    /// <summary>
    /// Opens both sides: locks the data folder and opens its SQLite store (folding waiting pings),
    /// then connects to PostgreSQL and brings its schema up to date. Throws
    /// <see cref="StoreStartException"/>, with one line saying why, when the folder or its database is
    /// missing, a server holds the folder, the database is damaged, or PostgreSQL cannot be reached.
    /// </summary>
    public static async Task<StoreCopy> OpenAsync(string dataFolder, string postgres, TimeProvider clock, CancellationToken ct,
        ILoggerFactory? loggers = null, int batch = DefaultBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        loggers ??= NullLoggerFactory.Instance;
        var folder = Path.GetFullPath(dataFolder);
        var path = Path.Combine(folder, DatabaseFile);
        if (!Directory.Exists(folder))
        {
            throw new StoreStartException($"the data folder {folder} does not exist");
        }
        if (!File.Exists(path))
        {
            throw new StoreStartException($"the data folder {folder} holds no Lifeline store ({DatabaseFile} is missing)");
        }
        NpgsqlConnectionStringBuilder connection;
        try
        {
            connection = new NpgsqlConnectionStringBuilder(postgres);
        }
        catch (ArgumentException ex)
        {
            throw new StoreStartException($"the PostgreSQL connection string is not valid: {ex.Message}", ex);
        }

        var sqliteRing = ReadSqliteRing(path);
        // Opened as a server opens it: the folder lock is held until DisposeAsync, and pings a
        // crash left in the ping log are folded into events and monitors before anything is read.
        // The ring stays the one the file was laid out for, so opening it drops no event.
        var sqlite = new SqliteStore(new SqliteOptions { Path = path, EventsKept = sqliteRing, Durability = Durability.Power, FoldWhenIdle = false },
            clock, loggers.CreateLogger<SqliteStore>());
        NpgsqlDataSource? dataSource = null;
        try
        {
            await sqlite.MigrateAsync(ct);
            dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
            // PostgreSQL keeps the ring it has (a server may already have run on it): laying it out
            // again for SQLite's size would drop events it holds.
            var ring = await ReadPostgresRingAsync(dataSource, ct) ?? sqliteRing;
            var options = new PostgresOptions { ConnectionString = connection.ConnectionString, EventsKept = ring };
            await using var store = new PostgresStore(options, clock, loggers.CreateLogger<PostgresStore>());
            await store.MigrateAsync(ct);
            return new StoreCopy(sqlite, path, dataSource, store.Describe(), ring, batch);
        }
        catch
        {
            if (dataSource is not null)
            {
                await dataSource.DisposeAsync();
            }
            await sqlite.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ring size the SQLite file is laid out for (its <c>events.ring</c> setting), or the store's default.</summary>
    private static int ReadSqliteRing(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM settings WHERE key = 'events.ring'";
            return command.ExecuteScalar() is string stored && int.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var ring) && ring > 0
                ? ring
                : new SqliteOptions { Path = path }.EventsKept;
        }
        catch (SqliteException)
        {
            // No settings table yet, or a damaged file: opening the store says what is wrong, or migrates it.
            return new SqliteOptions { Path = path }.EventsKept;
        }
    }

    /// <summary>PostgreSQL's ring size when it has one already; null for a new database, or when it cannot be reached (MigrateAsync then says why).</summary>
    private static async Task<int?> ReadPostgresRingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                "SELECT CASE WHEN to_regclass('settings') IS NOT NULL THEN (SELECT value FROM settings WHERE key = 'events.ring') END");
            return await command.ExecuteScalarAsync(ct) is string stored && int.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var ring) && ring > 0
                ? ring
                : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies every table of <see cref="Tables"/>; <paramref name="progress"/> hears after every
    /// batch, <paramref name="copied"/> after every table.
    /// </summary>
    public async Task<IReadOnlyList<TableCopied>> CopyAsync(Action<CopyProgress>? progress, Action<TableCopied>? copied, CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = _sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var source = new SqliteConnection(builder.ToString());
        await source.OpenAsync(ct);
        await using var target = await _postgres.OpenConnectionAsync(ct);
        var results = new List<TableCopied>();
        foreach (var table in Tables)
        {
            var result = await CopyTableAsync(table, source, target, progress, ct);
            copied?.Invoke(result);
            results.Add(result);
        }
        return results;
    }

    private sealed record Column(string Name, string Type, bool Identity);

    private async Task<TableCopied> CopyTableAsync(CopiedTable table, SqliteConnection source, NpgsqlConnection target, Action<CopyProgress>? progress, CancellationToken ct)
    {
        var inSqlite = SqliteColumns(source, table.Name);
        if (inSqlite.Count == 0)
        {
            return new TableCopied(table.Name, InSource: false, 0, 0, 0, []);
        }
        var inPostgres = await PostgresColumnsAsync(target, table.Name, ct);
        if (inPostgres.Count == 0)
        {
            throw new InvalidOperationException($"PostgreSQL has no table {table.Name} after its migrations");
        }
        var key = await PrimaryKeyAsync(target, table.Name, ct);
        var columns = inPostgres.Where(c => inSqlite.Contains(c.Name) || table.Computed.ContainsKey(c.Name)).ToList();
        var leftOut = inSqlite.Where(c => !columns.Any(k => k.Name == c)).ToList();
        if (key.Count == 0 || key.Any(k => !columns.Any(c => c.Name == k)))
        {
            throw new InvalidOperationException($"cannot copy {table.Name}: its primary key ({string.Join(", ", key)}) is not among the columns both databases have");
        }

        var ring = Ring.ToString(CultureInfo.InvariantCulture);
        var filter = table.Filter.Replace("{ring}", ring, StringComparison.Ordinal);
        var expressions = columns.Select(c => table.Computed.TryGetValue(c.Name, out var e) ? e.Replace("{ring}", ring, StringComparison.Ordinal) : $"t.{Quote(c.Name)}");
        using var count = source.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {Quote(table.Name)} AS t {filter}";
        var total = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);

        var list = string.Join(", ", columns.Select(c => Quote(c.Name)));
        await ExecAsync(target, null, "DROP TABLE IF EXISTS pg_temp.copy_rows", ct);
        await ExecAsync(target, null, $"CREATE TEMP TABLE copy_rows ON COMMIT DELETE ROWS AS SELECT {list} FROM {Quote(table.Name)} WITH NO DATA", ct);
        var overriding = columns.Any(c => c.Identity) ? "OVERRIDING SYSTEM VALUE" : "";
        var insert = $"INSERT INTO {Quote(table.Name)} ({list}) {overriding} SELECT {list} FROM copy_rows ON CONFLICT DO NOTHING";
        // A row counts as differing unless PostgreSQL now holds it exactly: found by its key, then compared whole.
        var differing =
            $"SELECT count(*) FROM copy_rows c WHERE NOT EXISTS (SELECT 1 FROM {Quote(table.Name)} x WHERE " +
            string.Join(" AND ", key.Select(k => $"x.{Quote(k)} = c.{Quote(k)}")) +
            $" AND ({string.Join(", ", columns.Select(c => "x." + Quote(c.Name)))}) IS NOT DISTINCT FROM ({string.Join(", ", columns.Select(c => "c." + Quote(c.Name)))}))";

        using var read = source.CreateCommand();
        read.CommandText = $"SELECT {string.Join(", ", expressions)} FROM {Quote(table.Name)} AS t {filter}";
        using var reader = read.ExecuteReader();
        long done = 0, added = 0, differ = 0;
        progress?.Invoke(new CopyProgress(table.Name, 0, total, 0));
        while (true)
        {
            await using var transaction = await target.BeginTransactionAsync(ct);
            var sent = 0;
            await using (var writer = await target.BeginBinaryImportAsync($"COPY copy_rows ({list}) FROM STDIN (FORMAT BINARY)", ct))
            {
                while (sent < _batch && reader.Read())
                {
                    await writer.StartRowAsync(ct);
                    for (var i = 0; i < columns.Count; i++)
                    {
                        await WriteAsync(writer, reader.GetValue(i), columns[i], table.Name, ct);
                    }
                    sent++;
                }
                await writer.CompleteAsync(ct);
            }
            if (sent == 0)
            {
                break;
            }
            added += await ExecAsync(target, transaction, insert, ct);
            differ += Convert.ToInt64(await ScalarAsync(target, transaction, differing, ct), CultureInfo.InvariantCulture);
            await transaction.CommitAsync(ct);
            done += sent;
            progress?.Invoke(new CopyProgress(table.Name, done, total, added));
            if (sent < _batch)
            {
                break;
            }
        }
        await ExecAsync(target, null, "DROP TABLE pg_temp.copy_rows", ct);
        foreach (var identity in columns.Where(c => c.Identity))
        {
            await MoveSequenceAsync(target, table.Name, identity.Name, ct);
        }
        return new TableCopied(table.Name, InSource: true, done, added, differ, leftOut);
    }

    /// <summary>
    /// Moves the identity sequence of <paramref name="table"/>.<paramref name="column"/> past the
    /// largest id, so that the next row PostgreSQL numbers itself takes none of the copied ids.
    /// It never moves back.
    /// </summary>
    private static Task<int> MoveSequenceAsync(NpgsqlConnection target, string table, string column, CancellationToken ct) =>
        ExecAsync(target, null,
            $"SELECT setval(s.name, m.top) FROM (SELECT pg_get_serial_sequence('{Quote(table)}', '{column}') AS name) s, " +
            $"(SELECT max({Quote(column)}) AS top FROM {Quote(table)}) m " +
            "WHERE m.top IS NOT NULL AND m.top > coalesce(pg_sequence_last_value(s.name::regclass), 0)", ct);

    private static HashSet<string> SqliteColumns(SqliteConnection source, string table)
    {
        using var command = source.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info(@table)";
        command.Parameters.AddWithValue("@table", table);
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    /// <summary>The table's columns that can be written, in order: all but generated ones.</summary>
    private static async Task<List<Column>> PostgresColumnsAsync(NpgsqlConnection target, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type, is_generated, is_identity FROM information_schema.columns " +
            "WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position", target);
        command.Parameters.AddWithValue("@table", table);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var writable = new List<Column>();
        while (await reader.ReadAsync(ct))
        {
            if (reader.GetString(2) != "ALWAYS")
            {
                writable.Add(new Column(reader.GetString(0), reader.GetString(1), reader.GetString(3) == "YES"));
            }
        }
        return writable;
    }

    private static async Task<List<string>> PrimaryKeyAsync(NpgsqlConnection target, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) " +
            "WHERE i.indrelid = to_regclass(@table) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)", target);
        command.Parameters.AddWithValue("@table", Quote(table));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    /// <summary>Writes one SQLite value as the PostgreSQL column's type (SQLite keeps booleans as 0/1, every integer as a 64-bit one).</summary>
    private static Task WriteAsync(NpgsqlBinaryImporter writer, object value, Column column, string table, CancellationToken ct)
    {
        if (value is DBNull)
        {
            return writer.WriteNullAsync(ct);
        }
        var c = CultureInfo.InvariantCulture;
        return column.Type switch
        {
            "boolean" => writer.WriteAsync(Convert.ToInt64(value, c) != 0, NpgsqlDbType.Boolean, ct),
            "smallint" => writer.WriteAsync(Convert.ToInt16(value, c), NpgsqlDbType.Smallint, ct),
            "integer" => writer.WriteAsync(Convert.ToInt32(value, c), NpgsqlDbType.Integer, ct),
            "bigint" => writer.WriteAsync(Convert.ToInt64(value, c), NpgsqlDbType.Bigint, ct),
            "real" => writer.WriteAsync(Convert.ToSingle(value, c), NpgsqlDbType.Real, ct),
            "double precision" => writer.WriteAsync(Convert.ToDouble(value, c), NpgsqlDbType.Double, ct),
            "text" or "character varying" => writer.WriteAsync(Convert.ToString(value, c)!, NpgsqlDbType.Text, ct),
            "json" => writer.WriteAsync(Convert.ToString(value, c)!, NpgsqlDbType.Json, ct),
            "jsonb" => writer.WriteAsync(Convert.ToString(value, c)!, NpgsqlDbType.Jsonb, ct),
            "bytea" when value is byte[] bytes => writer.WriteAsync(bytes, NpgsqlDbType.Bytea, ct),
            _ => throw new NotSupportedException(
                $"cannot copy {table}.{column.Name}: a SQLite {value.GetType().Name} into a PostgreSQL {column.Type} column is not supported"),
        };
    }

    private static async Task<int> ExecAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(ct);
    }

    /// <summary>An identifier quoted for either database.</summary>
    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Closes PostgreSQL and the SQLite store, which releases the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync();
        await _sqlite.DisposeAsync();
    }
}
