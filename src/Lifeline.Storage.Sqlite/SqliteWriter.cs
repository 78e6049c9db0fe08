using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Lifeline.Storage.Sqlite;

/// <summary>
/// The single writer of the database. SQLite allows one writer at a time, so every write is
/// queued here and run on one connection; writes that arrive together are committed in one
/// transaction (group commit), and each caller's task completes only after that commit, so an
/// acknowledged write is on disk. Each write runs inside its own savepoint: one failing write
/// does not undo the others in its batch.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteWriter(SqliteConnection connection, int maxBatch, ILogger logger)
    {
        _connection = connection;
        _maxBatch = maxBatch;
        _logger = logger;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
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

    private async Task RunAsync()
    {
        var batch = new List<WriteOp>(_maxBatch);
        var context = new WriteContext(_connection, _commands);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }
            RunBatch(batch, context);
            batch.Clear();
        }
    }

    private void RunBatch(List<WriteOp> batch, WriteContext context)
    {
        try
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            context.Transaction = transaction;
            foreach (var op in batch)
            {
                context.Exec("SAVEPOINT op");
                try
                {
                    op.Run(context);
                    context.Exec("RELEASE op");
                }
                catch (Exception ex)
                {
                    context.Exec("ROLLBACK TO op");
                    context.Exec("RELEASE op");
                    // The cache may hold what was just rolled back.
                    context.MonitorsByToken.Clear();
                    op.Fail(ex);
                }
            }
            transaction.Commit();
            context.Transaction = null;
        }
        catch (Exception ex)
        {
            context.Transaction = null;
            context.MonitorsByToken.Clear();
            _logger.LogError(ex, "Commit of {Count} writes failed", batch.Count);
            foreach (var op in batch)
            {
                op.Fail(ex);
            }
            return;
        }
        foreach (var op in batch)
        {
            op.Complete();
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

        public override void Run(WriteContext context) => _result = work(context);

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

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) =>
        Command(sql, parameters).ExecuteScalar();
}
