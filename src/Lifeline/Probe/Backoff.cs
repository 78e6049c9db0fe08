namespace Lifeline.Cli.Probe;

/// <summary>Capped exponential backoff with jitter: each wait is half fixed, half random, so many probes spread out.</summary>
internal sealed class Backoff(TimeSpan first, TimeSpan max, Func<double> random)
{
    private TimeSpan _next = first;

    public TimeSpan First { get; set; } = first;

    public TimeSpan Next()
    {
        var wait = _next / 2 + _next / 2 * random();
        _next = _next * 2 > max ? max : _next * 2;
        return wait;
    }

    public void Reset() => _next = First;
}
