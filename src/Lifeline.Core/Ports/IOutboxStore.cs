namespace Lifeline.Core;

/// <summary>A notice waiting in the outbox for one channel.</summary>
public sealed record OutboxItem(
    long Id,
    string DeliveryId,
    string ChannelId,
    Notice Notice,
    int Attempts,
    DateTimeOffset CreatedAt,
    ChannelConfig? Channel)
{
    /// <summary>
    /// The notices of the same channel and type claimed to go with this one as one grouped notice,
    /// oldest first; empty when it goes alone. Completing or releasing the item applies to them too.
    /// </summary>
    public IReadOnlyList<OutboxItem> Grouped { get; init; } = [];

    /// <summary>This notice and those grouped with it.</summary>
    public IEnumerable<OutboxItem> Members => Grouped.Prepend(this);
}

public enum DeliveryState
{
    Pending,
    Sent,
    /// <summary>Given up: a permanent error, a missing channel, or too old.</summary>
    Dead,
}

/// <summary>The result of one attempt: sent, or retry at a time, or dead.</summary>
public sealed record DeliveryOutcome(DeliveryState State, DateTimeOffset At, string? Error, DateTimeOffset? RetryAt, int? StatusCode);

/// <summary>One recorded attempt to deliver a notice.</summary>
public sealed record DeliveryAttempt(long OutboxId, string DeliveryId, string NoticeType, string MonitorName, int Attempt, DateTimeOffset At, bool Ok, int? StatusCode, string? Error, DeliveryState State);

public interface IOutboxStore
{
    /// <summary>Adds a notice for a channel outside any transition (test notices).</summary>
    Task<long> EnqueueAsync(string channelId, Notice notice, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Claims up to <paramref name="max"/> due notices with a lease: only the oldest pending notice of
    /// each channel, so that a channel receives its notices in order.
    /// </summary>
    Task<IReadOnlyList<OutboxItem>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct) =>
        ClaimAsync(now, lease, max, NoticeGrouping.Off, ct);

    /// <summary>
    /// Claims as <see cref="ClaimAsync(DateTimeOffset, TimeSpan, int, CancellationToken)"/>, grouping as
    /// <see cref="NoticeGrouping"/> says: a head that waits for its channel's window is not claimed,
    /// and a claimed down or up head takes the same-type notices right behind it along
    /// (<see cref="OutboxItem.Grouped"/>, leased with it in the same transaction).
    /// </summary>
    Task<IReadOnlyList<OutboxItem>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, NoticeGrouping grouping, CancellationToken ct);

    /// <summary>Records the outcome of an attempt for the item and every notice grouped with it, in one transaction.</summary>
    Task CompleteAsync(OutboxItem item, DeliveryOutcome outcome, CancellationToken ct);

    /// <summary>
    /// Gives a claimed notice back without counting an attempt (its send was stopped by a shutdown),
    /// so the next claim may take it at once instead of after its lease. Grouped notices go back with it.
    /// </summary>
    Task ReleaseAsync(OutboxItem item, CancellationToken ct);

    Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(string channelId, int limit, CancellationToken ct);

    Task<int> PendingCountAsync(CancellationToken ct);
}
