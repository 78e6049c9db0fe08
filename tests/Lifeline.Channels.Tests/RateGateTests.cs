using Lifeline.Testing;

namespace Lifeline.Channels.Tests;

public sealed class RateGateTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task The_first_send_to_a_key_goes_at_once()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));

        await gate.WaitAsync("chat-1", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_burst_to_one_key_is_spaced_one_interval_apart()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));

        var sends = Enumerable.Range(0, 3).Select(_ => gate.WaitAsync("chat-1", CancellationToken.None)).ToList();

        sends.Select(s => s.IsCompleted).ShouldBe([true, false, false]);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        sends[1].IsCompleted.ShouldBeFalse();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        sends.Select(s => s.IsCompleted).ShouldBe([true, true, false]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        sends.ShouldAllBe(s => s.IsCompletedSuccessfully);
    }

    [Fact]
    public void Different_keys_do_not_wait_for_each_other()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));

        gate.WaitAsync("chat-1", CancellationToken.None).IsCompleted.ShouldBeTrue();
        gate.WaitAsync("chat-2", CancellationToken.None).IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public void A_key_that_was_quiet_for_an_interval_sends_at_once_again()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));
        gate.WaitAsync("chat-1", CancellationToken.None).IsCompleted.ShouldBeTrue();

        _clock.Advance(TimeSpan.FromSeconds(5));

        gate.WaitAsync("chat-1", CancellationToken.None).IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public async Task Concurrent_callers_each_get_their_own_slot()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));

        var sends = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Task.FromResult(gate.WaitAsync("hook", CancellationToken.None)))));

        sends.Count(s => s.IsCompleted).ShouldBe(1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        sends.Count(s => s.IsCompleted).ShouldBe(11);
        _clock.Advance(TimeSpan.FromSeconds(9));
        sends.ShouldAllBe(s => s.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_cancelled_wait_ends_with_cancellation()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));
        await gate.WaitAsync("chat-1", CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = gate.WaitAsync("chat-1", cts.Token);
        await cts.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(() => waiting);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_slot_to_the_next_sender()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));
        await gate.WaitAsync("chat-1", CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var abandoned = gate.WaitAsync("chat-1", cts.Token);
        var kept = gate.WaitAsync("chat-1", CancellationToken.None);

        await cts.CancelAsync();
        await Should.ThrowAsync<TaskCanceledException>(() => abandoned);
        var next = gate.WaitAsync("chat-1", CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(1));
        next.IsCompleted.ShouldBeTrue();
        kept.IsCompleted.ShouldBeFalse();
        _clock.Advance(TimeSpan.FromSeconds(1));
        kept.IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public async Task A_cancelled_last_wait_shortens_the_queue()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));
        await gate.WaitAsync("chat-1", CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var abandoned = gate.WaitAsync("chat-1", cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<TaskCanceledException>(() => abandoned);

        _clock.Advance(TimeSpan.FromSeconds(1));

        gate.WaitAsync("chat-1", CancellationToken.None).IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public void A_key_may_have_its_own_interval()
    {
        var gate = new RateGate(_clock, TimeSpan.FromSeconds(1));
        gate.WaitAsync("group", TimeSpan.FromSeconds(3), CancellationToken.None).IsCompleted.ShouldBeTrue();

        var second = gate.WaitAsync("group", TimeSpan.FromSeconds(3), CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(2));
        second.IsCompleted.ShouldBeFalse();
        _clock.Advance(TimeSpan.FromSeconds(1));
        second.IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public void A_zero_interval_never_waits()
    {
        var gate = new RateGate(_clock, TimeSpan.Zero);

        Enumerable.Range(0, 5).Select(_ => gate.WaitAsync("chat-1", CancellationToken.None)).ShouldAllBe(t => t.IsCompleted);
    }
}
