using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: every call is one transaction on a pooled connection. Rows a write
/// decides on are read with <c>SELECT ... FOR UPDATE</c> inside that write, so several servers can
/// share one database; outbox claims skip rows another server holds.
/// </summary>
public sealed partial class PostgresStore : IMonitorStore, IChannelStore, IOutboxStore, ISettingsStore, ICheckHistoryStore, IStoreLifecycle, IAsyncDisposable
{
    /// <summary>The advisory lock key migrations run under, so servers starting together migrate once.</summary>
    private const long MigrationLock = 0x4c6966656c696e65; // "Lifeline"

    private readonly PostgresOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;
    /// <summary>The connections push batches run on (<see cref="ForPushes"/>).</summary>
    private readonly NpgsqlDataSource _pushSource;
    private readonly NodeShare _share;

    /// <param name="share">The shards this server sweeps; every shard when null (a server alone).</param>
    public PostgresStore(PostgresOptions options, TimeProvider clock, ILogger<PostgresStore> logger, NodeShare? share = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EventsKept, 1);
        _options = options;
        _clock = clock;
        _logger = logger;
        _share = share ?? NodeShare.All();
        _dataSource = NpgsqlDataSource.Create(WithDefaults(options.ConnectionString));
        _pushSource = NpgsqlDataSource.Create(ForPushes(WithDefaults(options.ConnectionString)));
        _pushes = NewPushBatches();
        _knownRows = new KnownRows(this, options.KnownRows);
    }

    /// <summary>
    /// The connection string with Lifeline's defaults where it says nothing: statements used
    /// again and again are prepared once per connection (<c>Max Auto Prepare</c>), which spares
    /// PostgreSQL parsing and planning each push, and pooled connections are not reset
    /// (<c>No Reset On Close</c>). Every statement names its columns, so a column
    /// another node's migration adds does not break a prepared one.
    /// </summary>
    private static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            // Nothing leaves session state behind (every advisory lock is a transaction's), so a
            // connection goes back to the pool without three reset statements before its next use.
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// The connection string for push batches: PostgreSQL is told not to scan a table whole where an
    /// index can do. A batch's statements look their rows up by key, but they are prepared once
    /// with rows passed as arrays, planned for ten rows each; against a table of a few thousand
    /// monitors, with statistics from when it was smaller, the planner may then read all of
    /// monitors for every batch instead of a dozen rows by its primary key.
    /// </summary>
    private static string ForPushes(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c enable_seqscan=off".Trim();
        return builder.ConnectionString;
    }

    /// <summary>Where the data is, without the password: "postgres host:port/database (user)".</summary>
    public string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        return $"postgres {builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database} ({builder.Username})";
    }

    /// <summary>
    /// Applies pending migrations in one transaction holding an advisory lock, so servers starting
    /// together wait for each other and each migration runs once; then fits the event rings to
    /// <see cref="PostgresOptions.EventsKept"/>.
    /// Throws <see cref="StoreStartException"/> when the server, the database or the credentials are wrong.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        try
        {
            await MigrateOnceAsync(ct);
            _opened = true;
        }
        catch (Exception ex) when (CannotStart(ex) is { } refused)
        {
            throw refused;
        }
    }

    private Task<bool> MigrateOnceAsync(CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", MigrationLock));
            await s.ExecAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            var applied = (await s.QueryAsync("SELECT version FROM schema_migrations", r => r.GetInt32(0))).ToHashSet();
            var assembly = typeof(PostgresStore).Assembly;
            foreach (var name in assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal))
            {
                // "Migrations.0001_initial.sql": the number before the first underscore.
                var version = int.Parse(name["Migrations.".Length..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                if (applied.Contains(version))
                {
                    continue;
                }
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                await s.ExecAsync(await reader.ReadToEndAsync(ct));
                await s.ExecAsync("INSERT INTO schema_migrations (version, name) VALUES (@v, @n)", ("@v", version), ("@n", name));
                _logger.LogInformation("Applied migration {Migration}", name);
            }
            await LayOutEventRingsAsync(s);
            // Unlike SQLite, outbox leases are left as they are: another server may hold them.
            return true;
        }, ct);

    /// <summary>
    /// Fits the stored events to this start's ring size when it differs from the last one: drops
    /// events older than the last <see cref="PostgresOptions.EventsKept"/> of each monitor and moves
    /// the rest to their slots. Nothing to do on most starts.
    /// </summary>
    private async Task LayOutEventRingsAsync(Session s)
    {
        var ring = _options.EventsKept.ToString(CultureInfo.InvariantCulture);
        if (await s.ScalarAsync("SELECT value FROM settings WHERE key = 'events.ring'") as string == ring)
        {
            return;
        }
        await s.ExecAsync(
            "DELETE FROM events e USING (SELECT monitor_id, max(seq) AS newest FROM events GROUP BY monitor_id) n " +
            "WHERE e.monitor_id = n.monitor_id AND e.seq <= n.newest - @ring", ("@ring", _options.EventsKept));
        await s.ExecAsync("DELETE FROM events WHERE monitor_id NOT IN (SELECT id FROM monitors)");
        // Two steps so that no row takes a slot another still holds: all out of the way, then in place.
        await s.ExecAsync("UPDATE events SET slot = -1 - slot");
        await s.ExecAsync("UPDATE events SET slot = (seq - 1) % @ring", ("@ring", _options.EventsKept));
        await s.ExecAsync(
            "INSERT INTO settings (key, value) VALUES ('events.ring', @ring) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("@ring", ring));
        _logger.LogInformation("Events laid out for {Ring} per monitor", _options.EventsKept);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. Throws
    /// <see cref="StoreUnavailableException"/> when the database cannot be reached, so the caller never
    /// acknowledges what may not be committed.
    /// </summary>
    /// <param name="committedByWork">The work sends the COMMIT itself as the last statement of its last batch (one round trip less).</param>
    /// <param name="source">The connections to use: the store's own when null.</param>
    private async Task<T> InTransactionAsync<T>(Func<Session, Task<T>> work, CancellationToken ct, bool committedByWork = false, NpgsqlDataSource? source = null)
    {
        try
        {
            await using var connection = await (source ?? _dataSource).OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var result = await work(new Session(connection, transaction, ct));
            if (!committedByWork)
            {
                await transaction.CommitAsync(ct);
            }
            Reached();
            return result;
        }
        catch (Exception ex) when (Unreachable(ex) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>Runs one read on its own connection, outside any transaction.</summary>
    /// <param name="source">The connections to use: the store's own when null.</param>
    private async Task<T> ReadAsync<T>(Func<Session, Task<T>> read, CancellationToken ct, NpgsqlDataSource? source = null)
    {
        try
        {
            await using var connection = await (source ?? _dataSource).OpenConnectionAsync(ct);
            var result = await read(new Session(connection, null, ct));
            Reached();
            return result;
        }
        catch (Exception ex) when (Unreachable(ex) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _pushes.DisposeAsync();
        await _pushSource.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private static bool IsUniqueViolation(PostgresException ex) => ex.SqlState == PostgresErrorCodes.UniqueViolation;
}
