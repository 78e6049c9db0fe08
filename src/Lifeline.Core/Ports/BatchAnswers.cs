namespace Lifeline.Core;

/// <summary>
/// How a store's writer answers the callers of a committed batch: on the thread pool, a few
/// callers per work item, whose continuations (writing the HTTP answer) run inline there. One
/// wake-up for many answers instead of one each, and never on the writer's own thread, which goes
/// on with the next batch. A caller that blocks holds up only the others of its work item.
/// </summary>
public static class BatchAnswers
{
    /// <summary>Most callers answered by one thread-pool work item.</summary>
    public const int Chunk = 16;

    /// <summary>Calls <paramref name="complete"/> for each of <paramref name="callers"/>, in order, <see cref="Chunk"/> per work item.</summary>
    /// <remarks><paramref name="callers"/> must not change afterwards: the work items read it later.</remarks>
    public static void Send<T>(IReadOnlyList<T> callers, Action<T> complete)
    {
        ArgumentNullException.ThrowIfNull(callers);
        ArgumentNullException.ThrowIfNull(complete);
        for (var start = 0; start < callers.Count; start += Chunk)
        {
            var from = start;
            ThreadPool.UnsafeQueueUserWorkItem(all =>
            {
                var end = Math.Min(from + Chunk, all.Count);
                for (var i = from; i < end; i++)
                {
                    complete(all[i]);
                }
            }, callers, preferLocal: false);
        }
    }
}
