namespace Lifeline.Storage.Conformance;

/// <summary>Many signals at once, as a busy server records them: each counted once, each answered with its own state.</summary>
public abstract class ConcurrentSignalTests : StoreTests
{
    [Fact]
    public async Task Many_signals_at_once_to_one_and_to_several_monitors_are_each_recorded_once_and_answered_with_their_own_number()
    {
        var monitors = new List<Monitor>();
        for (var i = 0; i < 4; i++)
        {
            monitors.Add(await F.Monitors.AddAsync(F.NewPush($"busy-{i}"), Ct));
        }
        // The first monitor gets two of every five signals, the others one each, interleaved.
        var sent = new List<(Monitor Monitor, string Message)>();
        for (var round = 0; round < 40; round++)
        {
            sent.Add((monitors[0], $"a{round}"));
            sent.Add((monitors[1], $"b{round}"));
            sent.Add((monitors[0], $"c{round}"));
            sent.Add((monitors[2], $"d{round}"));
            sent.Add((monitors[3], $"e{round}"));
        }

        var results = await Task.WhenAll(sent.Select(s => F.Monitors.RecordAsync(SignalAddress.ForToken(s.Monitor.PushToken!), F.Up(s.Message), Ct)));

        results.ShouldAllBe(r => r.Outcome == SignalOutcome.Recorded);
        foreach (var monitor in monitors)
        {
            var mine = sent.Select((s, i) => (s.Message, Result: results[i])).Where(x => x.Result.Monitor!.Id == monitor.Id).ToList();
            var count = sent.Count(s => s.Monitor.Id == monitor.Id);
            mine.Count.ShouldBe(count);
            (await F.Monitors.FindAsync(monitor.Id, Ct))!.EventCount.ShouldBe(count);
            var events = await F.Monitors.EventsAsync(monitor.Id, 100, Ct);
            events.Select(e => e.Id).Order().ShouldBe(Enumerable.Range(1, count).Select(n => (long)n));
            // Each answer carries the state its own signal made: its number is its event's.
            foreach (var (message, result) in mine)
            {
                events.Single(e => e.Id == result.Monitor!.EventCount).Msg.ShouldBe(message);
                result.Monitor!.LastMessage.ShouldBe(message);
            }
        }
    }
}
