namespace Lifeline.Storage.Sqlite;

/// <summary>
/// A queue from many threads to one dedicated consumer thread that blocks while it is empty.
/// Unlike waiting on a channel, the consumer does not spin before it sleeps: on a small machine
/// a spinning writer takes the cores the requests it serves need.
/// </summary>
internal sealed class HandoffQueue<T> : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<T> _items = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private int _sleeping;
    private volatile bool _completed;

    /// <summary>False once <see cref="Complete"/> has been called.</summary>
    public bool TryAdd(T item)
    {
        if (_completed)
        {
            return false;
        }
        _items.Enqueue(item);
        // Enqueue is a full fence: either the consumer sees the item, or this sees it asleep.
        if (Volatile.Read(ref _sleeping) == 1)
        {
            _wake.Set();
        }
        return true;
    }

    public bool TryTake(out T item) => _items.TryDequeue(out item!);

    public bool IsEmpty => _items.IsEmpty;

    /// <summary>Blocks the consumer until an item is there; false once completed and drained.</summary>
    public bool WaitForItems()
    {
        while (_items.IsEmpty)
        {
            if (_completed)
            {
                return !_items.IsEmpty;
            }
            _wake.Reset();
            Interlocked.Exchange(ref _sleeping, 1);
            if (_items.IsEmpty && !_completed)
            {
                _wake.Wait();
            }
            Volatile.Write(ref _sleeping, 0);
        }
        return true;
    }

    public void Complete()
    {
        _completed = true;
        _wake.Set();
    }

    /// <summary>Only after the consumer has stopped.</summary>
    public void Dispose() => _wake.Dispose();
}
