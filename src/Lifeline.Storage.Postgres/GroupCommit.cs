using System.Threading.Channels;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Group commit for writes that arrive together: callers queue their input, and a few lanes each
/// take everything waiting (up to a batch size), run it as one transaction and complete every
/// caller of that batch only after its commit. Each lane is one connection, so a busy server
/// sends a few round trips per batch instead of a few per write, and while one lane waits for
/// its commit the next batch is being built in another.
/// <para>
/// When a batch fails for a reason that is the database's (<paramref name="final"/>: unreachable,
/// shutting down), every caller of the batch gets that exception: nothing in it was acknowledged.
/// Any other failure (a deadlock with another server, one bad write) rolled the whole batch back,
/// so each write is then run again on its own and answered for itself.
/// </para>
/// </summary>
internal sealed class GroupCommit<TIn, TOut> : IAsyncDisposable
{
    private sealed class Waiter(TIn input)
    {
        public TIn Input { get; } = input;
        public TaskCompletionSource<TOut> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

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
        return ct.CanBeCanceled ? waiter.Done.Task.WaitAsync(ct) : waiter.Done.Task;
    }

    private async Task RunLaneAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Waiter>(_maxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
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
                    // A fault of the answering itself: nobody left waiting, and the lane goes on.
                    batch.ForEach(w => w.Done.TrySetException(ex));
                }
                batch.Clear();
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
                    batch[i].Done.TrySetResult(partly.Results[i]!);
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
            batch[i].Done.TrySetResult(results[i]);
        }
    }

    private async Task FailAsync(List<Waiter> batch, Exception ex)
    {
        if (_final(ex) || _stopping.IsCancellationRequested)
        {
            foreach (var waiter in batch)
            {
                waiter.Done.TrySetException(ex);
            }
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
            waiter.Done.TrySetResult(await _alone(waiter.Input, _stopping.Token));
        }
        catch (Exception ex)
        {
            waiter.Done.TrySetException(ex);
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
