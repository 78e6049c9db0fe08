using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes go through one <see cref="SqliteWriter"/>
/// (group commit); reads use pooled connections and never wait for writes.
/// </summary>
public sealed partial class SqliteStore : IMonitorStore, IChannelStore, IOutboxStore, ISettingsStore, IStoreLifecycle, IStoreHealth, IAsyncDisposable
{
    private readonly SqliteOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private SqliteWriter? _writer;
    private readonly WriteHealth _health;
    private DataFolderLock? _folderLock;

    public SqliteStore(SqliteOptions options, TimeProvider clock, ILogger<SqliteStore> logger)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _health = new WriteHealth(clock, logger);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Describe() => $"sqlite {_options.Path} (durability: {_options.Durability})";

    public string? Problem => _health.Problem;
    public DateTimeOffset? ProblemSince => _health.ProblemSince;

    private SqliteWriter Writer => _writer ?? throw new InvalidOperationException("the store is not open: call MigrateAsync first");

    /// <summary>
    /// Locks the data folder (<see cref="DataFolderLock"/>), checks an existing file, creates the
    /// file if needed, applies pending migrations under the write lock, and starts the writer.
    /// Throws <see cref="StoreStartException"/> when the folder is in use or the file is empty or damaged.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        if (_writer is not null)
        {
            return;
        }
        var path = Path.GetFullPath(_options.Path);
        _folderLock ??= DataFolderLock.Acquire(Path.GetDirectoryName(path)!);
        try
        {
            await OpenAsync(path, ct);
        }
        catch
        {
            _folderLock.Dispose();
            _folderLock = null;
            throw;
        }
    }

    private async Task OpenAsync(string path, CancellationToken ct)
    {
        var existed = File.Exists(path);
        if (existed && new FileInfo(path).Length == 0)
        {
            // SQLite would take an empty file for a new database: the data it held would be lost in silence.
            throw new StoreStartException(
                $"the database {path} is empty (0 bytes), so it holds none of the data it should; " +
                "restore it from a backup, or move it away to start with a new store");
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        if (existed)
        {
            CheckIntact(connection, path);
        }
        // Small pages for a new file: each ping rewrites a few rows at random places, and every page
        // it touches is copied whole into the log, so 1 KiB pages make commits about a quarter
        // faster than 4 KiB ones (bench/push.sh). An existing file keeps its page size.
        Pragma(connection, "PRAGMA page_size = 1024");
        Pragma(connection, "PRAGMA journal_mode = WAL");
        Pragma(connection, _options.Durability == Durability.Process ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
        Pragma(connection, "PRAGMA busy_timeout = 30000");
        Pragma(connection, "PRAGMA foreign_keys = OFF");
        Pragma(connection, "PRAGMA temp_store = MEMORY");
        // The writer's page cache holds the pages folds and pings touch again and again (up to 16 MiB).
        Pragma(connection, "PRAGMA cache_size = -16384");
        // Checkpoints copy the log back into the database and fsync it: too slow for the writer's
        // commits. The writer never checkpoints; a timer does, from its own connection.
        Pragma(connection, "PRAGMA wal_autocheckpoint = 0");
        ApplyMigrations(connection);
        LayOutEventRings(connection);
        // One process owns a SQLite file: leases left by a crash are stale, so deliveries resume at once.
        Pragma(connection, "UPDATE outbox SET lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL");
        WalSync? sync = null;
        if (_options.Durability != Durability.Process)
        {
            // Commits write the log without waiting for the disk; the writer's sync thread
            // flushes it before anyone is answered (WalSync).
            Pragma(connection, "PRAGMA synchronous = OFF");
            sync = new WalSync(_options.Path);
        }
        _journal = OpenJournal(connection);
        _writer = new SqliteWriter(connection, _options.MaxBatch, _options.EventsKept, _logger, _journal, BeginTransaction,
            _options.FoldWhenIdle ? FoldWhenIdle : null, _health, sync, flushPings: _options.Durability == Durability.Power);
        // Pings a crash left in the ping log reach events and monitors before anything reads them.
        await SyncAsync();
        _checkpoints = new Timer(_ => Checkpoint(), null, CheckpointEvery, CheckpointEvery);
        _probes = new Timer(_ => _ = ProbeAsync(), null, _options.HealthProbeEvery, _options.HealthProbeEvery);
        if (_options.Durability == Durability.Balanced)
        {
            _pingFlushes = new Timer(_ => FlushPings(), null, _options.PingFlushEvery, _options.PingFlushEvery);
        }
    }

    /// <summary>
    /// Refuses a damaged database (PRAGMA quick_check: every page and record is well formed; it
    /// reads the whole file once): starting on it would lose more.
    /// </summary>
    private static void CheckIntact(SqliteConnection connection, string path)
    {
        var problems = new List<string>();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(5)";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 11 or 26)
        {
            problems.Add(ex.Message);
        }
        if (problems is ["ok"])
        {
            return;
        }
        connection.Dispose();
        throw new StoreStartException(
            $"the database {path} is damaged and was not opened; restore it from a backup, or move it away to start " +
            "with a new store (sqlite3's .recover may save some of it). First problems found:\n    " + string.Join("\n    ", problems));
    }

    /// <summary>How often the write-ahead log is copied back into the database file.</summary>
    private static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(1);

    private Timer? _checkpoints;
    private int _checkpointing;
    private Timer? _pingFlushes;
    private Timer? _probes;
    private int _probing;

    /// <summary>
    /// While writes fail for a storage reason: one small write that needs what pings and other
    /// writes need (a database commit, flushed as usual, and room for the ping log to grow). Once it
    /// succeeds the problem is cleared, so health recovers by itself when space returns, with or
    /// without traffic.
    /// </summary>
    private async Task ProbeAsync()
    {
        if (_health.Problem is null || _writer is not { } writer || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }
        try
        {
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await writer.WriteAsync(ctx =>
            {
                ctx.Exec("INSERT INTO settings (key, value) VALUES ('store.probe', @now) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("@now", now));
                ctx.Journal.Log.Reserve();
                return true;
            });
            _health.Recovered();
            _logger.LogInformation("The store can write again");
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "The store still cannot write");
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    private bool _pingFlushFailing;

    /// <summary>Balanced durability: flushes the routine pings written since the last flush (the writer answered them without waiting).</summary>
    private void FlushPings()
    {
        try
        {
            _journal?.Log.Flush();
            _pingFlushFailing = false;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Once a failing streak, not ten times a second.
            if (!_pingFlushFailing)
            {
                _logger.LogWarning(ex, "Flushing the ping log failed");
            }
            _pingFlushFailing = true;
        }
    }

    /// <summary>
    /// A passive checkpoint runs beside the writer without blocking it; a truncating one, when the
    /// log has grown large, keeps the file bounded.
    /// </summary>
    private void Checkpoint()
    {
        if (Interlocked.Exchange(ref _checkpointing, 1) == 1)
        {
            return;
        }
        try
        {
            using var connection = OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            using var reader = command.ExecuteReader();
            if (reader.Read() && reader.GetInt64(1) > 50_000)
            {
                reader.Close();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                command.ExecuteNonQuery();
            }
        }
        catch (SqliteException ex)
        {
            _logger.LogDebug(ex, "Checkpoint skipped");
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    private void ApplyMigrations(SqliteConnection connection)
    {
        var assembly = typeof(SqliteStore).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        // BEGIN IMMEDIATE takes the write lock, so two processes starting on one file migrate once.
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = current; i < scripts.Count; i++)
        {
            using var stream = assembly.GetManifestResourceStream(scripts[i])!;
            using var reader = new StreamReader(stream);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = reader.ReadToEnd() + $"\nPRAGMA user_version = {i + 1};";
            command.ExecuteNonQuery();
            _logger.LogInformation("Applied migration {Migration}", scripts[i]);
        }
        transaction.Commit();
    }

    /// <summary>
    /// Fits the stored events to this start's ring size when it differs from the last one: drops
    /// events older than the last <see cref="SqliteOptions.EventsKept"/> of each monitor and moves
    /// the rest to their slots. Nothing to do on most starts.
    /// </summary>
    private void LayOutEventRings(SqliteConnection connection)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.EventsKept, 1);
        var ring = _options.EventsKept.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Scalar(connection, transaction, "SELECT value FROM settings WHERE key = 'events.ring'") as string == ring)
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            // The newest event, not the monitor's event count: after a crash that count may lag (PingJournal).
            $"DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events newest WHERE newest.monitor_id = events.monitor_id) - {ring}; " +
            "DELETE FROM events WHERE monitor_id NOT IN (SELECT id FROM monitors); " +
            "UPDATE events SET slot = -1 - slot; " +
            $"UPDATE events SET slot = (seq - 1) % {ring}; " +
            $"INSERT INTO settings (key, value) VALUES ('events.ring', '{ring}') ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
        command.ExecuteNonQuery();
        transaction.Commit();
        _logger.LogInformation("Events laid out for {Ring} per monitor", _options.EventsKept);
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteCommand ReadCommand(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = ReadCommand(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    private static List<T> Query<T>(WriteContext context, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var reader = context.Command(sql, parameters).ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_checkpoints is not null)
        {
            await _checkpoints.DisposeAsync();
            _checkpoints = null;
        }
        if (_probes is not null)
        {
            await _probes.DisposeAsync();
            _probes = null;
        }
        if (_pingFlushes is not null)
        {
            await _pingFlushes.DisposeAsync();
            _pingFlushes = null;
        }
        if (_writer is not null)
        {
            try
            {
                await SyncAsync();
            }
            catch (SqliteException ex)
            {
                // Folded at the next start instead.
                _logger.LogWarning(ex, "Could not fold the ping journal at shutdown");
            }
            await _writer.DisposeAsync();
            _writer = null;
        }
        if (_journal is not null)
        {
            // Every record is in the database once a fold has committed: the log starts empty next time.
            if (!_journal.MayHaveRecords)
            {
                _journal.Log.Clear();
            }
            _journal.Log.Dispose();
            _journal = null;
        }
        SqliteConnection.ClearAllPools();
        _folderLock?.Dispose();
        _folderLock = null;
    }

    private static bool IsUniqueViolation(SqliteException ex) => ex.SqliteErrorCode == 19 && ex.Message.Contains("UNIQUE", StringComparison.Ordinal);
}
