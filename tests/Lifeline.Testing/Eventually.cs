namespace Lifeline.Testing;

/// <summary>
/// Polls for something another thread or process does (a delivery recorded, a process ready).
/// Not for time logic: that is driven by <see cref="ManualClock"/>.
/// </summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var limit = TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource(timeout ?? limit);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException("the condition did not become true in time");
            }
            await Task.Delay(25, CancellationToken.None);
        }
    }
}
