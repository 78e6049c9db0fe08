using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The single writer of the database. SQLite allows one writer at a time, so every write is
/// queued here and run on one connection; writes that arrive together are committed in one
/// transaction (group commit), and each caller's task completes only after that commit, so an
/// acknowledged write is on disk. One failing write does not fail the others in its batch.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly HandoffQueue<WriteOp> _queue = new();
    private readonly SqliteConnection _connection;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly WriteContext _context;
    private readonly WalSync? _sync;
    private readonly HandoffQueue<List<WriteOp>> _committed = new();
    private readonly Task _syncLoop = Task.CompletedTask;
    private readonly Action<WriteContext> _begin;
    private readonly Func<WriteContext, bool>? _idle;
    private readonly bool _flushPings;
    private readonly Action _flushWal;
    private readonly WriteHealth _health;

    // Commits that wrote to the write-ahead log (the sync thread skips a flush when none did;
    // the ping log tracks its own writes).
    private long _walWrites;
    private int _totalChanges;

    /// <param name="journal">Where routine pings wait (<see cref="PingJournal"/>): written to its log after each commit.</param>
    /// <param name="begin">What every transaction does first.</param>
    /// <param name="idle">Work for moments when no write waits, in a transaction of its own; true if it did some.</param>
    /// <param name="sync">
    /// Null when commits are durable enough as SQLite makes them; otherwise the connection commits
    /// without syncing and callers are answered after <paramref name="sync"/> has flushed the logs.
    /// </param>
    /// <param name="health">Told of every write that fails for a storage reason (a full disk, an I/O error).</param>
    /// <param name="flushPings">
    /// Whether the ping log is flushed before answering too. Without it, a batch that changed
    /// nothing in the database but the ping log is answered as soon as it is written.
    /// </param>
    public SqliteWriter(SqliteConnection connection, int maxBatch, int eventRing, ILogger logger, PingJournal journal, Action<WriteContext> begin, Func<WriteContext, bool>? idle, WriteHealth health, WalSync? sync = null, bool flushPings = true)
    {
        _health = health;
        _connection = connection;
        _maxBatch = maxBatch;
        _logger = logger;
        _sync = sync;
        _begin = begin;
        _idle = idle;
        _flushPings = flushPings;
        _flushWal = sync is null ? () => { } : sync.Flush;
        _context = new WriteContext(connection, _commands, journal) { EventRing = eventRing };
        _totalChanges = raw.sqlite3_total_changes(connection.Handle);
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (sync is not null)
        {
            _syncLoop = Task.Factory.StartNew(() => SyncLoop(sync), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Runs <paramref name="work"/> in the writer; completes after its batch is committed.</summary>
    public Task<T> WriteAsync<T>(Func<WriteContext, T> work)
    {
        var op = new WriteOp<T>(work);
        if (!_queue.TryAdd(op))
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteWriter)));
        }
        return op.Task;
    }

    /// <summary>How long the writer waits for more writes to join a batch when it is busy.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMicroseconds(300);

    // Runs on its own thread: every SQLite call blocks, so the thread is the writer's alone.
    private void Run()
    {
        var batch = new List<WriteOp>(_maxBatch);
        var context = _context;
        var busy = false;
        while (true)
        {
            if (_queue.IsEmpty && RunIdle(context))
            {
                continue;
            }
            if (!_queue.WaitForItems())
            {
                break;
            }
            Drain(batch);
            // Under load a commit costs an fsync whatever its size: wait a moment for the
            // requests that are on their way, so they share it. An idle writer never waits, and
            // neither does one whose fsyncs happen on the sync thread.
            if (busy && _sync is null && batch.Count < _maxBatch / 4)
            {
                Thread.Sleep(Linger);
                Drain(batch);
            }
            busy = batch.Count > 1;
            var walWrites = _walWrites;
            try
            {
                RunBatch(batch, context);
            }
            catch (Exception ex)
            {
                // Never let the writer die: every later write would wait forever. A storage failure
                // (a full disk) is logged once by the health record, not once a batch.
                var error = _health.Classify(ex);
                if (error is not StoreUnavailableException)
                {
                    _logger.LogError(ex, "The writer failed a batch of {Count} writes", batch.Count);
                }
                foreach (var op in batch)
                {
                    op.Fail(error);
                }
                Answer(batch);
                batch = new List<WriteOp>(_maxBatch);
                continue;
            }
            if (_sync is null || (!_flushPings && _walWrites == walWrites))
            {
                Answer(batch);
            }
            else
            {
                _committed.TryAdd(batch);
                if (_commitsSinceCheckpoint >= CheckpointEveryCommits)
                {
                    CheckpointHere();
                }
            }
            batch = new List<WriteOp>(_maxBatch);
        }
        _committed.Complete();
    }

    /// <summary>
    /// Runs the idle work once, when there is any: callers that arrive meanwhile wait for one
    /// short transaction at most. Nobody is answered for it.
    /// </summary>
    private bool RunIdle(WriteContext context)
    {
        if (_idle is null)
        {
            return false;
        }
        var op = new WriteOp<bool>(_idle);
        if (!TryCommit([op], context))
        {
            _health.Classify(context.LastError!);
            return false;
        }
        if (!op.Result)
        {
            return false;
        }
        if (_sync is not null && _commitsSinceCheckpoint >= CheckpointEveryCommits)
        {
            CheckpointHere();
        }
        return true;
    }

    /// <summary>How many commits that write to the log the writer makes between its own checkpoints.</summary>
    private const int CheckpointEveryCommits = 256;

    private int _commitsSinceCheckpoint;

    /// <summary>
    /// A checkpoint by the writer itself, between two commits: nothing is appended meanwhile, so
    /// it can copy the whole log back into the database, and the next commit starts the log again
    /// from its beginning. The log then stays the same size and is overwritten in place, which
    /// makes its flushes cheaper than those of a log that grows. (The checkpoint timer alone,
    /// racing the writer, never catches up under load.) The checkpoint syncs the log and the
    /// database as <c>synchronous=FULL</c> does, so the log is never restarted over pages that are
    /// not on disk.
    /// </summary>
    private void CheckpointHere()
    {
        _commitsSinceCheckpoint = 0;
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(PASSIVE); PRAGMA synchronous = OFF;";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            _logger.LogDebug(ex, "Writer checkpoint skipped");
        }
    }

    /// <summary>Completes the callers of a committed batch on the thread pool (<see cref="BatchAnswers"/>), never on the writer's or the sync thread.</summary>
    private static void Answer(List<WriteOp> batch) => BatchAnswers.Send(batch, op => op.Complete());

    // Runs on its own thread: flushes the log once for every batch committed since the last flush.
    private void SyncLoop(WalSync sync)
    {
        var ready = new List<List<WriteOp>>();
        long walFlushed = 0;
        while (_committed.WaitForItems())
        {
            while (_committed.TryTake(out var batch))
            {
                ready.Add(batch);
            }
            // Counted before the batches were queued: these cover every one taken above.
            var wal = Volatile.Read(ref _walWrites);
            Exception? failed = null;
            try
            {
                // The database's log first: it holds the generation the ping log's records are read back under.
                if (wal != walFlushed)
                {
                    sync.Flush();
                    walFlushed = wal;
                }
                if (_flushPings)
                {
                    _context.Journal.Log.Flush();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Nothing in these batches may be acknowledged as durable. (Logged once by the health record.)
                failed = _health.Classify(ex);
            }
            foreach (var batch in ready)
            {
                if (failed is not null)
                {
                    foreach (var op in batch)
                    {
                        op.Fail(failed);
                    }
                }
                Answer(batch);
            }
            ready.Clear();
        }
    }

    private void Drain(List<WriteOp> batch)
    {
        while (batch.Count < _maxBatch && _queue.TryTake(out var op))
        {
            batch.Add(op);
        }
    }

    private void RunBatch(List<WriteOp> batch, WriteContext context)
    {
        // Fast path: the whole batch in one transaction. Writes rarely fail; when one does, the
        // batch is rolled back and replayed one write per transaction, so only that one fails.
        if (batch.Count == 1 || !TryCommit(batch, context))
        {
            foreach (var op in batch)
            {
                var tries = 0;
                while (!TryCommit([op], context))
                {
                    if (IsBusy(context.LastError) && ++tries < BusyRetries)
                    {
                        // Another connection wrote meanwhile (a checkpoint truncating the log): this
                        // transaction's snapshot is stale and SQLite refuses it at once rather than
                        // wait. Begun again, it starts from a fresh snapshot.
                        Thread.Sleep(tries * 5);
                        continue;
                    }
                    op.Fail(_health.Classify(context.LastError!));
                    break;
                }
            }
        }
    }

    /// <summary>Times a write refused as busy is tried again before it fails.</summary>
    private const int BusyRetries = 20;

    private static bool IsBusy(Exception? error) =>
        error is SqliteException { SqliteErrorCode: raw.SQLITE_BUSY or raw.SQLITE_LOCKED };

    /// <summary>Runs the writes in one transaction and commits; false (and rolled back) if anything threw.</summary>
    /// <remarks>
    /// The transaction is SQLite's own, begun and ended by prepared statements: most batches are
    /// pings that touch no table, and a deferred transaction that touches nothing takes no lock
    /// and costs next to nothing to commit. (The writer is the only one, so deferring the lock
    /// until the first write never meets another writer.)
    /// </remarks>
    private bool TryCommit(List<WriteOp> ops, WriteContext context)
    {
        var begun = false;
        try
        {
            context.ExecHot("BEGIN", []);
            begun = true;
            _begin(context);
            foreach (var op in ops)
            {
                op.Run(context);
            }
            context.ExecHot("COMMIT", []);
        }
        catch (Exception ex)
        {
            context.LastError = ex;
            // The cache may hold what is being rolled back.
            context.MonitorsByToken.Clear();
            context.Journal.RolledBack();
            context.FoldedRows = 0;
            try
            {
                if (begun && raw.sqlite3_get_autocommit(_connection.Handle) == 0)
                {
                    context.ExecHot("ROLLBACK", []);
                }
            }
            catch (SqliteException rollbackError)
            {
                _logger.LogError(rollbackError, "Rollback failed");
            }
            if (ops.Count > 1)
            {
                _logger.LogDebug(ex, "A batch of {Count} writes failed; replaying them one by one", ops.Count);
            }
            return false;
        }
        var changes = raw.sqlite3_total_changes(_connection.Handle);
        if (changes != _totalChanges)
        {
            // Folds need no flush before anyone is answered: what they moved is still in the ping
            // log, which is only written over after a flush (PingJournal). Any other change does.
            var mustFlush = changes - _totalChanges != context.FoldedRows;
            _totalChanges = changes;
            _commitsSinceCheckpoint++;
            if (mustFlush)
            {
                Volatile.Write(ref _walWrites, _walWrites + 1);
            }
        }
        context.FoldedRows = 0;
        try
        {
            context.Journal.Committed(_flushWal);
        }
        catch (IOException ex)
        {
            // The database has the commit, the ping log not its pings: none of it may be
            // acknowledged. (The pings stay in memory and reach the database with the next fold.)
            var error = _health.Classify(ex);
            foreach (var op in ops)
            {
                op.Fail(error);
            }
            return true;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await _loop;
        await _syncLoop;
        _queue.Dispose();
        _committed.Dispose();
        if (_sync is not null)
        {
            // Closing the last connection checkpoints and deletes the log: that must sync again.
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL";
            command.ExecuteNonQuery();
            _sync.Dispose();
        }
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _context.DisposeStatements();
        await _connection.DisposeAsync();
    }

    private abstract class WriteOp
    {
        public abstract void Run(WriteContext context);
        public abstract void Fail(Exception ex);
        public abstract void Complete();
    }

    private sealed class WriteOp<T>(Func<WriteContext, T> work) : WriteOp
    {
        // Continuations run inline: Answer completes callers on the thread pool, never on the writer.
        private readonly TaskCompletionSource<T> _done = new();
        private T _result = default!;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        /// <summary>What the work returned, once it has run.</summary>
        public T Result => _result;

        public override void Run(WriteContext context)
        {
            _error = null;
            _result = work(context);
        }

        public override void Fail(Exception ex) => _error = ex;

        public override void Complete()
        {
            if (_error is null)
            {
                _done.TrySetResult(_result);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }
    }
}

/// <summary>What a write sees: the writer's connection and transaction, with prepared commands reused across writes.</summary>
internal sealed class WriteContext(SqliteConnection connection, Dictionary<string, SqliteCommand> commands, PingJournal journal)
{
    public SqliteConnection Connection { get; } = connection;

    /// <summary>Events kept per monitor: event number seq lives in slot (seq - 1) % EventRing.</summary>
    public int EventRing { get; init; } = 100;

    /// <summary>Why the last transaction failed.</summary>
    public Exception? LastError { get; set; }

    /// <summary>
    /// Monitors as last written by this writer, by push token: the ingestion path reads them from
    /// here instead of the database. Only the writer touches it; it is cleared whenever a write
    /// fails, so it never holds state that was rolled back.
    /// </summary>
    public Dictionary<string, Monitor> MonitorsByToken { get; } = new(StringComparer.Ordinal);

    /// <summary>Routine pings on their way to the database (SqliteStore.Journal.cs).</summary>
    public PingJournal Journal { get; } = journal;

    /// <summary>Rows this transaction changed by folding pings (they need no flush before answering).</summary>
    public int FoldedRows { get; set; }

    /// <summary>
    /// A prepared command for <paramref name="sql"/> with the given parameters bound. A command is
    /// prepared once per SQL text and its parameters are reused; callers pass them in one order.
    /// </summary>
    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }
        var bound = command.Parameters;
        if (bound.Count != parameters.Length)
        {
            bound.Clear();
            foreach (var (name, value) in parameters)
            {
                bound.AddWithValue(name, value ?? DBNull.Value);
            }
            return command;
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = bound[i];
            if (!string.Equals(parameter.ParameterName, parameters[i].Name, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"parameters of a prepared command must come in one order: {sql}");
            }
            parameter.Value = parameters[i].Value ?? DBNull.Value;
        }
        return command;
    }

    public int Exec(string sql, params (string Name, object? Value)[] parameters) =>
        Command(sql, parameters).ExecuteNonQuery();

    private readonly Dictionary<string, RawStatement> _raw = new(StringComparer.Ordinal);

    /// <summary>
    /// Like <see cref="Exec"/> for the statements every ping runs: binds <paramref name="values"/>
    /// by position, in the order the parameters first appear in <paramref name="sql"/>.
    /// </summary>
    public int ExecHot(string sql, ReadOnlySpan<object?> values)
    {
        if (!_raw.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(Connection, sql);
            _raw[sql] = statement;
        }
        return statement.Run(values);
    }

    public void DisposeStatements()
    {
        foreach (var statement in _raw.Values)
        {
            statement.Dispose();
        }
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) =>
        Command(sql, parameters).ExecuteScalar();
}
