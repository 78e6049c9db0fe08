using System.Text.Json.Nodes;
using Lifeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Core.Tests.Outbox;

public sealed class OutboxDispatcherTests : IDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();
    private readonly MemoryOutbox _outbox = new();
    private readonly DispatchSignal _signal = new();

    public void Dispose() => _signal.Dispose();

    private OutboxDispatcher NewDispatcher(INoticeChannel channel) =>
        new(_outbox, [channel], _clock, new DispatchOptions { SendTimeout = SendTimeout }, _signal, new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance);

    private OutboxItem Pending(long id, string channelId) => new(id, $"msg_{id}", channelId,
        new Notice { Type = Notice.DownType, At = _clock.GetUtcNow(), Reason = "down", Monitor = new NoticeMonitor { Id = "m", Name = "m", Kind = "push", Status = "down" } },
        0, _clock.GetUtcNow(), new ChannelConfig(channelId, "stuck", channelId, [], _clock.GetUtcNow()));

    [Fact]
    public async Task A_channel_that_ignores_cancellation_still_frees_its_lane_when_the_attempt_times_out()
    {
        _outbox.Items.Add(Pending(1, "a"));
        var dispatcher = NewDispatcher(new StuckChannel());

        (await dispatcher.DispatchOnceAsync(CancellationToken.None)).ShouldBe(1);
        dispatcher.InFlight.ShouldBe(1);
        // The send arms its timeout on its own task: move the clock only once it is armed.
        await Eventually.GetAsync(() => Task.FromResult(_clock.ArmedTimers), armed => armed == 1, TimeSpan.FromSeconds(10));
        _clock.Advance(SendTimeout);
        await dispatcher.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var (_, outcome) = _outbox.Completed.ShouldHaveSingleItem();
        outcome.State.ShouldBe(DeliveryState.Pending);
        outcome.Error.ShouldNotBeNull().ShouldContain("timed out");
        outcome.RetryAt.ShouldBe(_clock.GetUtcNow() + new RetryPolicy().FirstDelay);
    }

    [Fact]
    public void A_lease_shorter_than_two_send_timeouts_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new OutboxDispatcher(_outbox, [], _clock,
            new DispatchOptions { SendTimeout = TimeSpan.FromMinutes(1), Lease = TimeSpan.FromSeconds(90) }, _signal, new LifelineMetrics(), NullLogger<OutboxDispatcher>.Instance));
    }

    /// <summary>A sender whose send never ends and never looks at its token.</summary>
    private sealed class StuckChannel : INoticeChannel
    {
        public string Kind => "stuck";

        public IReadOnlyList<string> Validate(JsonObject settings) => [];

        public Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct) => new TaskCompletionSource().Task;
    }

    /// <summary>An outbox in memory: hands out the oldest unleased pending notice of each channel.</summary>
    private sealed class MemoryOutbox : IOutboxStore
    {
        private readonly HashSet<long> _claimed = [];

        public List<OutboxItem> Items { get; } = [];

        public List<(OutboxItem Item, DeliveryOutcome Outcome)> Completed { get; } = [];

        public Task<long> EnqueueAsync(string channelId, Notice notice, DateTimeOffset now, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<OutboxItem>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, NoticeGrouping grouping, CancellationToken ct)
        {
            lock (Items)
            {
                IReadOnlyList<OutboxItem> due = [.. Items.GroupBy(i => i.ChannelId).Select(g => g.First()).Where(i => _claimed.Add(i.Id)).Take(max)];
                return Task.FromResult(due);
            }
        }

        public Task CompleteAsync(OutboxItem item, DeliveryOutcome outcome, CancellationToken ct)
        {
            lock (Items)
            {
                Completed.Add((item, outcome));
                Items.Remove(item);
                _claimed.Remove(item.Id);
            }
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(OutboxItem item, CancellationToken ct)
        {
            lock (Items)
            {
                _claimed.Remove(item.Id);
            }
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(string channelId, int limit, CancellationToken ct) => throw new NotSupportedException();

        public Task<int> PendingCountAsync(CancellationToken ct) => Task.FromResult(Items.Count);
    }
}
