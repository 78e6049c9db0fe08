using System.Threading.Channels;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Group commit for writes that arrive together: callers queue their input, and a lane (or
/// several) takes everything waiting (up to a batch size), runs it as one transaction and answers
/// every caller of that batch only after its commit. Each lane is one connection, so a busy server
/// sends a few round trips per batch instead of a few per write; the writes that arrive while a
/// lane waits for its commit make its next batch.
/// <para>
/// When a batch fails for a reason that is the database's (<paramref name="final"/>: unreachable,
/// shutting down), every caller of the batch gets that exception: nothing in it was acknowledged.
/// Any other failure (a deadlock with another server, one bad write) rolled the whole batch back,
/// so each write is then run again on its own and answered for itself.
/// </para>
/// </summary>
internal sealed class GroupCommit<TIn, TOut> : IAsyncDisposable
{
    /// <summary>
    /// One caller. Its outcome is set by the lane and passed on by <see cref="Answer"/>: the
    /// caller's continuation runs inline there, on a thread-pool thread, never on the lane.
    /// </summary>
    private sealed class Waiter(TIn input)
    {
        private readonly TaskCompletionSource<TOut> _done = new();
        private TOut? _result;
        private Exception? _error;
        private bool _decided;

        public TIn Input { get; } = input;
        public Task<TOut> Task => _done.Task;

        /// <summary>Sets the outcome, unless one was set already: the first one holds.</summary>
        public void Succeed(TOut result)
        {
            if (!_decided)
            {
                (_result, _decided) = (result, true);
            }
        }

        /// <inheritdoc cref="Succeed"/>
        public void Fail(Exception error)
        {
            if (!_decided)
            {
                (_error, _decided) = (error, true);
            }
        }

        public void Complete()
        {
            if (!_decided)
            {
                _done.TrySetException(new InvalidOperationException("The batch gave this write no outcome"));
            }
            else if (_error is null)
            {
                _done.TrySetResult(_result!);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }
    }

    /// <summary>Passes on the outcomes of <paramref name="waiters"/> on the thread pool (<see cref="BatchAnswers"/>), never on the lane.</summary>
    private static void Answer(List<Waiter> waiters) => BatchAnswers.Send(waiters, w => w.Complete());

    private readonly Channel<Waiter> _queue = Channel.CreateUnbounded<Waiter>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly int _maxBatch;
    private readonly Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> _together;
    private readonly Func<TIn, CancellationToken, Task<TOut>> _alone;
    private readonly Func<Exception, bool> _final;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _lanes;

    /// <param name="lanes">Batches under way at once, each on its own connection.</param>
    /// <param name="maxBatch">The most writes one transaction takes.</param>
    /// <param name="together">Runs a batch in one transaction; returns one result per input, in order, after the commit.</param>
    /// <param name="alone">Runs one write in a transaction of its own, after its batch failed.</param>
    /// <param name="final">Whether a batch's failure is to be passed to every caller as it is, without running each alone.</param>
    public GroupCommit(int lanes, int maxBatch, Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> together,
        Func<TIn, CancellationToken, Task<TOut>> alone, Func<Exception, bool> final)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _maxBatch = maxBatch;
        _together = together;
        _alone = alone;
        _final = final;
        _lanes = Enumerable.Range(0, lanes).Select(_ => Task.Run(RunLaneAsync)).ToArray();
    }

    /// <summary>Queues <paramref name="input"/>; completes after the transaction that wrote it has committed.</summary>
    public Task<TOut> RunAsync(TIn input, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var waiter = new Waiter(input);
        if (!_queue.Writer.TryWrite(waiter))
        {
            return Task.FromException<TOut>(new ObjectDisposedException(nameof(GroupCommit<TIn, TOut>)));
        }
        // A caller that gives up stops waiting; its write may still be committed, as with any timeout.
        return ct.CanBeCanceled ? waiter.Task.WaitAsync(ct) : waiter.Task;
    }

    private async Task RunLaneAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // A new list each time: the answers of the last batch may still be passing on.
            var batch = new List<Waiter>(Math.Min(_maxBatch, 64));
            while (batch.Count < _maxBatch && reader.TryRead(out var waiter))
            {
                batch.Add(waiter);
            }
            if (batch.Count > 0)
            {
                try
                {
                    await RunBatchAsync(batch);
                }
                catch (Exception ex)
                {
                    // A fault of this class's own code, not the database's: every caller not yet
                    // given an outcome gets this one, and the lane goes on.
                    batch.ForEach(w => w.Fail(ex));
                }
                Answer(batch);
            }
        }
    }

    private async Task RunBatchAsync(List<Waiter> batch)
    {
        IReadOnlyList<TOut> results;
        try
        {
            results = await _together(batch.ConvertAll(w => w.Input), _stopping.Token);
        }
        catch (PartlyCommittedException<TOut> partly)
        {
            // The writes of a committed part are in: their callers get their answers, the rest
            // fare as after any failed batch.
            var rest = new List<Waiter>();
            for (var i = 0; i < batch.Count; i++)
            {
                if (partly.Committed[i])
                {
                    batch[i].Succeed(partly.Results[i]!);
                }
                else
                {
                    rest.Add(batch[i]);
                }
            }
            await FailAsync(rest, partly.InnerException!);
            return;
        }
        catch (Exception ex)
        {
            await FailAsync(batch, ex);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Succeed(results[i]);
        }
    }

    private async Task FailAsync(List<Waiter> batch, Exception ex)
    {
        if (_final(ex) || _stopping.IsCancellationRequested)
        {
            batch.ForEach(w => w.Fail(ex));
            return;
        }
        // Rolled back as a whole: each write again in its own transaction, in the batch's order,
        // so one bad write or a deadlock with another server fails nobody else.
        foreach (var waiter in batch)
        {
            await RunAloneAsync(waiter);
        }
    }

    private async Task RunAloneAsync(Waiter waiter)
    {
        try
        {
            waiter.Succeed(await _alone(waiter.Input, _stopping.Token));
        }
        catch (Exception ex)
        {
            waiter.Fail(ex);
        }
    }

    /// <summary>Takes no more writes, lets the lanes finish what was queued, then stops them.</summary>
    /// <remarks>Safe to call more than once: the store behind several ports is disposed once per port.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await Task.WhenAll(_lanes);
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private int _disposed;
}

/// <summary>
/// A batch failed after a part of it was committed in a transaction of its own: the callers whose
/// writes <see cref="Committed"/> get <see cref="Results"/>, the others fare as after a failed
/// batch, by the <see cref="Exception.InnerException"/>.
/// </summary>
internal sealed class PartlyCommittedException<TOut>(bool[] committed, TOut?[] results, Exception cause)
    : Exception("Part of a batch was committed before the rest failed", cause)
{
    public bool[] Committed { get; } = committed;
    public TOut?[] Results { get; } = results;
}
