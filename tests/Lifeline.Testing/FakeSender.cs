using Lifeline.Client.Push;

namespace Lifeline.Testing;

/// <summary>An <see cref="IPushSender"/> that records each request with the clock's time and answers at once (or when released).</summary>
public sealed class FakeSender(TimeProvider clock) : IPushSender, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, PushRequest Request)> _sent = [];
    private readonly SemaphoreSlim _arrived = new(0);

    /// <summary>When set, each send waits for this before answering.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public PushOutcome Outcome { get; set; } = PushOutcome.Acknowledged;

    public IReadOnlyList<(DateTimeOffset At, PushRequest Request)> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public async Task<PushResult> SendAsync(PushRequest request, TimeSpan retryFor, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _sent.Add((clock.GetUtcNow(), request));
        }
        _arrived.Release();
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        return new PushResult(Outcome, Outcome == PushOutcome.Acknowledged ? 200 : null, Outcome == PushOutcome.Acknowledged ? "HTTP 200: OK" : "Connection refused", 1, null);
    }

    public void Dispose() => _arrived.Dispose();

    /// <summary>Waits until <paramref name="count"/> sends have been made in total.</summary>
    public async Task WaitForAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Sent.Count < count)
        {
            await _arrived.WaitAsync(timeout.Token);
        }
    }
}
