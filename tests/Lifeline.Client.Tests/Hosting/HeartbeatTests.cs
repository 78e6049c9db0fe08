using Lifeline.Client.Hosting;
using Lifeline.Client.Push;
using Lifeline.Testing;
using Microsoft.Extensions.Logging;

namespace Lifeline.Client.Tests.Hosting;

public sealed class HeartbeatTests : IDisposable
{
    private static readonly Uri Url = new("http://127.0.0.1:5080/api/push/tok123");
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly ManualClock _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeSender _sender;
    private readonly RecordingLogger _log = new();

    public HeartbeatTests() => _sender = new FakeSender(_clock);

    public void Dispose()
    {
        _stop.Dispose();
        _sender.Dispose();
    }

    private Task Start(Heartbeat heartbeat) => Task.Run(() => heartbeat.RunAsync(_stop.Token));

    [Fact]
    public async Task The_first_beat_goes_at_once_then_one_per_interval()
    {
        var t0 = _clock.GetUtcNow();
        var running = Start(Heartbeat.Plain(Url, Minute, _sender, _clock));

        await _sender.WaitForAsync(1);
        for (var beat = 2; beat <= 5; beat++)
        {
            _clock.Advance(Minute);
            await _sender.WaitForAsync(beat);
        }

        _sender.Sent.Select(s => s.At - t0).ShouldBe([TimeSpan.Zero, Minute, 2 * Minute, 3 * Minute, 4 * Minute]);
        _sender.Sent.ShouldAllBe(s => s.Request.Url.Query == "?status=up");
        await _stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_slow_beat_does_not_push_the_next_ones_later()
    {
        var t0 = _clock.GetUtcNow();
        var running = Start(Heartbeat.Plain(Url, Minute, _sender, _clock));
        await _sender.WaitForAsync(1);

        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sender.Hold = slow;
        _clock.Advance(Minute);
        await _sender.WaitForAsync(2);
        _clock.Advance(TimeSpan.FromSeconds(25));
        _sender.Hold = null;
        slow.SetResult();

        _clock.Advance(TimeSpan.FromSeconds(35));
        await _sender.WaitForAsync(3);

        _sender.Sent[2].At.ShouldBe(t0 + 2 * Minute);
        await _stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_stops_the_loop_without_an_exception()
    {
        var running = Start(Heartbeat.Plain(Url, Minute, _sender, _clock));
        await _sender.WaitForAsync(1);

        await _stop.CancelAsync();

        await running.WaitAsync(TimeSpan.FromSeconds(5));
        running.IsCompletedSuccessfully.ShouldBeTrue();
        _sender.Sent.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_failure_is_logged_once_and_so_is_the_recovery()
    {
        _sender.Outcome = PushOutcome.Unreachable;
        var running = Start(Heartbeat.Plain(Url, Minute, _sender, _clock, _log));
        await _sender.WaitForAsync(1);
        for (var beat = 2; beat <= 4; beat++)
        {
            _clock.Advance(Minute);
            await _sender.WaitForAsync(beat);
        }
        _sender.Outcome = PushOutcome.Acknowledged;
        _clock.Advance(Minute);
        await _sender.WaitForAsync(5);
        await _stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));

        _log.Entries.Count(e => e.Level == LogLevel.Warning).ShouldBe(1);
        _log.Entries.Single(e => e.Level == LogLevel.Information).Message.ShouldContain("after 4 failed beat(s)");
    }
}

/// <summary>Keeps what was logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
