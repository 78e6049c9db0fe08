namespace Lifeline.Core;

/// <summary>
/// Tells whoever keeps monitor states in memory (the status pages' cache) about a monitor just
/// written by a signal or a sweep, so they can drop what went stale without reading the store.
/// Listeners run on the writer's path: they must be quick and must not throw.
/// </summary>
public sealed class StatusWatch
{
    private Action<Monitor>? _listeners;

    public void Listen(Action<Monitor> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Action<Monitor>? seen, next;
        do
        {
            seen = Volatile.Read(ref _listeners);
            next = seen + listener;
        }
        while (Interlocked.CompareExchange(ref _listeners, next, seen) != seen);
    }

    /// <summary>Reports a monitor as it is now stored.</summary>
    public void Saw(Monitor monitor) => Volatile.Read(ref _listeners)?.Invoke(monitor);
}
