using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The single writer of the database. SQLite allows one writer at a time, so every write is
/// queued here and run on one connection; writes that arrive together are committed in one
/// transaction (group commit), and each caller's task completes only after that commit, so an
/// acknowledged write is on disk. One failing write does not fail the others in its batch.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly WriteContext _context;

    public SqliteWriter(SqliteConnection connection, int maxBatch, ILogger logger)
    {
        _connection = connection;
        _maxBatch = maxBatch;
        _logger = logger;
        _context = new WriteContext(connection, _commands);
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Runs <paramref name="work"/> in the writer; completes after its batch is committed.</summary>
    public Task<T> WriteAsync<T>(Func<WriteContext, T> work)
    {
        var op = new WriteOp<T>(work);
        if (!_queue.Writer.TryWrite(op))
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
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            Drain(batch);
            // Under load a commit costs an fsync whatever its size: wait a moment for the
            // requests that are on their way, so they share it. An idle writer never waits.
            if (busy && batch.Count < _maxBatch / 4)
            {
                Thread.Sleep(Linger);
                Drain(batch);
            }
            busy = batch.Count > 1;
            try
            {
                RunBatch(batch, context);
            }
            catch (Exception ex)
            {
                // Never let the writer die: every later write would wait forever.
                _logger.LogError(ex, "The writer failed a batch of {Count} writes", batch.Count);
                foreach (var op in batch)
                {
                    op.Fail(ex);
                    op.Complete();
                }
            }
            batch.Clear();
        }
    }

    private void Drain(List<WriteOp> batch)
    {
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var op))
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
                if (!TryCommit([op], context))
                {
                    op.Fail(context.LastError!);
                }
            }
        }
        foreach (var op in batch)
        {
            op.Complete();
        }
    }

    /// <summary>Runs the writes in one transaction and commits; false (and rolled back) if anything threw.</summary>
    private bool TryCommit(List<WriteOp> ops, WriteContext context)
    {
        SqliteTransaction? transaction = null;
        try
        {
            transaction = _connection.BeginTransaction(deferred: false);
            context.Transaction = transaction;
            foreach (var op in ops)
            {
                op.Run(context);
            }
            transaction.Commit();
            return true;
        }
        catch (Exception ex)
        {
            context.LastError = ex;
            // The cache may hold what is being rolled back.
            context.MonitorsByToken.Clear();
            try
            {
                transaction?.Rollback();
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
        finally
        {
            context.Transaction = null;
            transaction?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
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
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _error;

        public Task<T> Task => _done.Task;

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
internal sealed class WriteContext(SqliteConnection connection, Dictionary<string, SqliteCommand> commands)
{
    public SqliteConnection Connection { get; } = connection;
    public SqliteTransaction? Transaction { get; set; }

    /// <summary>Why the last transaction failed.</summary>
    public Exception? LastError { get; set; }

    /// <summary>
    /// Monitors as last written by this writer, by push token: the ingestion path reads them from
    /// here instead of the database. Only the writer touches it; it is cleared whenever a write
    /// fails, so it never holds state that was rolled back.
    /// </summary>
    public Dictionary<string, Monitor> MonitorsByToken { get; } = new(StringComparer.Ordinal);

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
        command.Transaction = Transaction;
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
    public int ExecHot(string sql, object?[] values)
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
