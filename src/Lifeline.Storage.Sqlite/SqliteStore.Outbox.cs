using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<long> EnqueueAsync(string channelId, Notice notice, DateTimeOffset now, CancellationToken ct) =>
        Writer.WriteAsync(ctx => EnqueueNotice(ctx, channelId, notice, now) ?? throw new InvalidOperationException($"channel {channelId} does not exist"));

    private static long? EnqueueNotice(WriteContext ctx, string channelId, Notice notice, DateTimeOffset now) =>
        (long?)ctx.Scalar(
            "INSERT INTO outbox (delivery_id, channel_id, notice, notice_type, monitor_name, monitor_id, created_at, due_at) " +
            "SELECT @delivery, @channel, @notice, @type, @monitor, @monitor_id, @now, @now WHERE EXISTS (SELECT 1 FROM channels WHERE id = @channel) RETURNING id",
            ("@delivery", Secrets.NewDeliveryId()), ("@channel", channelId), ("@notice", NoticeJson.Serialize(notice)),
            ("@type", notice.Type), ("@monitor", notice.Monitor.Name),
            ("@monitor_id", notice.Type == Notice.TestType ? null : notice.Monitor.Id), ("@now", Time.Ms(now)));

    /// <summary>Claims without grouping: every notice goes alone.</summary>
    public Task<IReadOnlyList<OutboxItem>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct) =>
        ClaimAsync(now, lease, max, NoticeGrouping.Off, ct);

    public Task<IReadOnlyList<OutboxItem>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, NoticeGrouping grouping, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grouping);
        return Writer.WriteAsync<IReadOnlyList<OutboxItem>>(ctx =>
        {
            // Every due head (one per channel), with when its channel was last sent a notice of its type.
            var heads = Query(ctx,
                "SELECT o.id, o.delivery_id, o.channel_id, o.notice, o.attempts, o.created_at, c.kind, c.name, c.settings, c.created_at, o.notice_type, " +
                "(SELECT max(s.sent_at) FROM outbox s WHERE s.channel_id = o.channel_id AND s.notice_type = o.notice_type AND s.state = 'sent') " +
                "FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id " +
                "WHERE o.state = 'pending' AND o.due_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now) " +
                "AND o.id = (SELECT min(h.id) FROM outbox h WHERE h.channel_id = o.channel_id AND h.state = 'pending') " +
                "ORDER BY o.id",
                r => (Item: ReadOutboxItem(r), Type: r.GetString(10), LastSent: r.IsDBNull(11) ? (DateTimeOffset?)null : Time.From(r.GetInt64(11))),
                ("@now", Time.Ms(now)));
            var claimed = new List<OutboxItem>();
            foreach (var (head, type, lastSent) in heads)
            {
                if (claimed.Count == max)
                {
                    break;
                }
                var window = grouping.WindowFor(head.Channel);
                if (NoticeGrouping.Waits(type, lastSent, window, now))
                {
                    continue;
                }
                var item = head;
                if (NoticeGrouping.Groups(type) && window > TimeSpan.Zero)
                {
                    // The run of same-type notices right behind the head, so the channel still hears them in order.
                    var behind = Query(ctx,
                        "SELECT o.id, o.delivery_id, o.channel_id, o.notice, o.attempts, o.created_at, c.kind, c.name, c.settings, c.created_at, o.notice_type " +
                        "FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id " +
                        "WHERE o.channel_id = @channel AND o.state = 'pending' AND o.id > @head ORDER BY o.id LIMIT @n",
                        r => (Item: ReadOutboxItem(r), Type: r.GetString(10)),
                        ("@channel", head.ChannelId), ("@head", head.Id), ("@n", NoticeGrouping.MaxGroup - 1));
                    item = head with { Grouped = [.. behind.TakeWhile(b => b.Type == type).Select(b => b.Item)] };
                }
                foreach (var member in item.Members)
                {
                    ctx.Exec("UPDATE outbox SET lease_until = @until WHERE id = @id", ("@until", Time.Ms(now + lease)), ("@id", member.Id));
                }
                claimed.Add(item);
            }
            return claimed;
        });
    }

    public Task CompleteAsync(OutboxItem item, DeliveryOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outcome);
        return Writer.WriteAsync(ctx =>
        {
            var state = StoreEncoding.StateName(outcome.State);
            foreach (var member in item.Members)
            {
                ctx.Exec(
                    "UPDATE outbox SET state = @state, attempts = attempts + 1, lease_until = NULL, last_error = @error, " +
                    "due_at = coalesce(@retry, due_at), sent_at = @sent WHERE id = @id",
                    ("@state", state), ("@error", outcome.Error), ("@retry", Time.Ms(outcome.RetryAt)),
                    ("@sent", outcome.State == DeliveryState.Sent ? Time.Ms(outcome.At) : null), ("@id", member.Id));
                ctx.Exec(
                    "INSERT INTO deliveries (outbox_id, channel_id, attempt, at, ok, status_code, error, state) " +
                    "VALUES (@o, @c, @attempt, @at, @ok, @code, @error, @state)",
                    ("@o", member.Id), ("@c", member.ChannelId), ("@attempt", member.Attempts + 1), ("@at", Time.Ms(outcome.At)),
                    ("@ok", outcome.State == DeliveryState.Sent ? 1 : 0), ("@code", outcome.StatusCode), ("@error", outcome.Error), ("@state", state));
            }
            return true;
        });
    }

    public Task ReleaseAsync(OutboxItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Writer.WriteAsync(ctx =>
        {
            foreach (var member in item.Members)
            {
                ctx.Exec("UPDATE outbox SET lease_until = NULL WHERE id = @id AND state = 'pending'", ("@id", member.Id));
            }
            return true;
        });
    }

    public Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(string channelId, int limit, CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<DeliveryAttempt> rows = Query(connection,
            "SELECT d.outbox_id, o.delivery_id, o.notice_type, o.monitor_name, d.attempt, d.at, d.ok, d.status_code, d.error, d.state " +
            "FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.channel_id = @c ORDER BY d.id DESC LIMIT @limit",
            r => new DeliveryAttempt(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), Time.From(r.GetInt64(5)),
                r.GetInt64(6) != 0, r.IsDBNull(7) ? null : r.GetInt32(7), MonitorColumns.Str(r, 8), StoreEncoding.ParseState(r.GetString(9))),
            ("@c", channelId), ("@limit", limit));
        return Task.FromResult(rows);
    }

    public Task<int> PendingCountAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        using var command = ReadCommand(connection, "SELECT count(*) FROM outbox WHERE state = 'pending'");
        return Task.FromResult(Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static OutboxItem ReadOutboxItem(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        NoticeJson.Deserialize(r.GetString(3)),
        r.GetInt32(4),
        Time.From(r.GetInt64(5)),
        r.IsDBNull(6) ? null : new ChannelConfig(r.GetString(2), r.GetString(6), r.GetString(7), ParseSettings(r.GetString(8)), Time.From(r.GetInt64(9))));

    private static JsonObject ParseSettings(string json) => JsonNode.Parse(json) as JsonObject ?? [];
}
