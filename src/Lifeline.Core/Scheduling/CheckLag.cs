namespace Lifeline.Core;

/// <summary>
/// How late active checks start compared with their due time, over the most recent checks, for
/// /healthz and benchmarks. Thread-safe.
/// </summary>
public sealed class CheckLag
{
    private const int Window = 2048;
    private readonly Lock _gate = new();
    private readonly double[] _recentMs = new double[Window];
    private int _next;
    private int _count;
    private long _started;

    /// <summary>Called with each lateness as it is recorded (benchmarks listen here).</summary>
    public event Action<TimeSpan>? Observed;

    /// <summary>Checks started since the server started.</summary>
    public long Started => Interlocked.Read(ref _started);

    public void Record(TimeSpan lateness)
    {
        var ms = Math.Max(0, lateness.TotalMilliseconds);
        lock (_gate)
        {
            _recentMs[_next] = ms;
            _next = (_next + 1) % Window;
            _count = Math.Min(_count + 1, Window);
        }
        Interlocked.Increment(ref _started);
        Observed?.Invoke(lateness);
    }

    /// <summary>Lateness at quantile <paramref name="q"/> (0..1) over the last 2,048 checks, in milliseconds; 0 before any check.</summary>
    public double PercentileMs(double q)
    {
        double[] copy;
        lock (_gate)
        {
            copy = _recentMs[.._count];
        }
        if (copy.Length == 0)
        {
            return 0;
        }
        Array.Sort(copy);
        return copy[Math.Clamp((int)Math.Ceiling(q * copy.Length) - 1, 0, copy.Length - 1)];
    }
}
