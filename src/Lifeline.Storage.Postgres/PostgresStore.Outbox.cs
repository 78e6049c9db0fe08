using System.Data.Common;
using System.Text.Json.Nodes;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task<long> EnqueueAsync(string channelId, Notice notice, DateTimeOffset now, CancellationToken ct) =>
        InTransactionAsync(async s => await EnqueueNoticeAsync(s, channelId, notice, now) ?? throw new InvalidOperationException($"channel {channelId} does not exist"), ct);

    private static async Task<long?> EnqueueNoticeAsync(Session s, string channelId, Notice notice, DateTimeOffset now) =>
        (long?)await s.ScalarAsync(
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
        return InTransactionAsync<IReadOnlyList<OutboxItem>>(async s =>
        {
            // Only the head of each channel's queue may go, so a channel gets its notices in order.
            // A head another server is claiming right now is skipped, not waited for; one it has
            // claimed carries a lease, and the locked row is checked again after its commit.
            var heads = await s.QueryAsync(
                "WITH heads AS (SELECT DISTINCT ON (channel_id) id FROM outbox WHERE state = 'pending' ORDER BY channel_id, id) " +
                "SELECT o.id, o.channel_id, o.notice_type, c.kind, c.name, c.settings, c.created_at, " +
                "(SELECT max(x.sent_at) FROM outbox x WHERE x.channel_id = o.channel_id AND x.notice_type = o.notice_type AND x.state = 'sent') " +
                "FROM outbox o JOIN heads h ON h.id = o.id LEFT JOIN channels c ON c.id = o.channel_id " +
                "WHERE o.state = 'pending' AND o.due_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now " +
                // The claim of a node that stopped checking in ends now: it died mid-send.
                // (Never this node's own claims: its check-in may merely lag, and its sends are in flight.)
                "OR (o.claimed_by IS NOT NULL AND o.claimed_by <> @node AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = o.claimed_by AND n.last_seen_at > @gone))) " +
                // At most max heads: claims made at the same time by other nodes take the next ones.
                "ORDER BY o.id LIMIT @max FOR UPDATE OF o SKIP LOCKED",
                r => (Id: r.GetInt64(0), ChannelId: r.GetString(1), Type: r.GetString(2),
                    Channel: r.IsDBNull(3) ? null : new ChannelConfig(r.GetString(1), r.GetString(3), r.GetString(4), ParseSettings(r.GetString(5)), Time.From(r.GetInt64(6))),
                    LastSent: r.IsDBNull(7) ? (DateTimeOffset?)null : Time.From(r.GetInt64(7))),
                ("@now", Time.Ms(now)), ("@max", max), ("@gone", Time.Ms(now - _options.NodeTimeout)), ("@node", _options.NodeId ?? ""));
            var groups = new List<(long Head, List<long> Behind)>();
            var postponed = new List<(long Id, DateTimeOffset Until)>();
            foreach (var head in heads)
            {
                if (groups.Count == max)
                {
                    break;
                }
                var window = grouping.WindowFor(head.Channel);
                if (NoticeGrouping.Waits(head.Type, head.LastSent, window, now))
                {
                    // Due again when its channel's window ends, so until then no claim takes (and
                    // locks) it in place of a notice that may go now.
                    postponed.Add((head.Id, head.LastSent!.Value + window));
                    continue;
                }
                var behind = new List<long>();
                if (NoticeGrouping.Groups(head.Type) && window > TimeSpan.Zero)
                {
                    // The run of same-type notices right behind the head (so the channel still hears
                    // them in order), claimed with it: only heads are claimed, so no other node holds them.
                    var rows = await s.QueryAsync(
                        "SELECT id, notice_type FROM outbox WHERE channel_id = @channel AND state = 'pending' AND id > @head " +
                        "ORDER BY id LIMIT @n FOR UPDATE",
                        r => (Id: r.GetInt64(0), Type: r.GetString(1)),
                        ("@channel", head.ChannelId), ("@head", head.Id), ("@n", NoticeGrouping.MaxGroup - 1));
                    behind.AddRange(rows.TakeWhile(r => r.Type == head.Type).Select(r => r.Id));
                }
                groups.Add((head.Id, behind));
            }
            foreach (var (id, until) in postponed)
            {
                await s.ExecAsync("UPDATE outbox SET due_at = @until WHERE id = @id", ("@until", Time.Ms(until)), ("@id", id));
            }
            if (groups.Count == 0)
            {
                return [];
            }
            var ids = groups.SelectMany(g => g.Behind.Prepend(g.Head)).ToArray();
            await s.ExecAsync("UPDATE outbox SET lease_until = @until, claimed_by = @node WHERE id = ANY(@ids)",
                ("@until", Time.Ms(now + lease)), ("@node", _options.NodeId), ("@ids", ids));
            var items = (await s.QueryAsync(
                "SELECT o.id, o.delivery_id, o.channel_id, o.notice, o.attempts, o.created_at, c.kind, c.name, c.settings, c.created_at " +
                "FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id WHERE o.id = ANY(@ids) ORDER BY o.id",
                ReadOutboxItem, ("@ids", ids))).ToDictionary(i => i.Id);
            return [.. groups.Select(g => items[g.Head] with { Grouped = [.. g.Behind.Select(id => items[id])] })];
        }, ct);
    }

    public Task CompleteAsync(OutboxItem item, DeliveryOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outcome);
        return InTransactionAsync(async s =>
        {
            var state = StoreEncoding.StateName(outcome.State);
            foreach (var member in item.Members)
            {
                await s.ExecAsync(
                    "UPDATE outbox SET state = @state, attempts = attempts + 1, lease_until = NULL, claimed_by = NULL, last_error = @error, " +
                    "due_at = coalesce(@retry, due_at), sent_at = @sent WHERE id = @id",
                    ("@state", state), ("@error", outcome.Error), ("@retry", Time.Ms(outcome.RetryAt)),
                    ("@sent", outcome.State == DeliveryState.Sent ? Time.Ms(outcome.At) : null), ("@id", member.Id));
                await s.ExecAsync(
                    "INSERT INTO deliveries (outbox_id, channel_id, attempt, at, ok, status_code, error, state) " +
                    "VALUES (@o, @c, @attempt, @at, @ok, @code, @error, @state)",
                    ("@o", member.Id), ("@c", member.ChannelId), ("@attempt", member.Attempts + 1), ("@at", Time.Ms(outcome.At)),
                    ("@ok", outcome.State == DeliveryState.Sent), ("@code", outcome.StatusCode), ("@error", outcome.Error), ("@state", state));
            }
            return true;
        }, ct);
    }

    public Task ReleaseAsync(OutboxItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        return InTransactionAsync(async s =>
        {
            await s.ExecAsync("UPDATE outbox SET lease_until = NULL, claimed_by = NULL WHERE id = ANY(@ids) AND state = 'pending'",
                ("@ids", item.Members.Select(m => m.Id).ToArray()));
            return true;
        }, ct);
    }

    public Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(string channelId, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<DeliveryAttempt>>(async s => await s.QueryAsync(
            "SELECT d.outbox_id, o.delivery_id, o.notice_type, o.monitor_name, d.attempt, d.at, d.ok, d.status_code, d.error, d.state " +
            "FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.channel_id = @c ORDER BY d.id DESC LIMIT @limit",
            r => new DeliveryAttempt(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), Time.From(r.GetInt64(5)),
                r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetInt32(7), MonitorColumns.Str(r, 8), StoreEncoding.ParseState(r.GetString(9))),
            ("@c", channelId), ("@limit", limit)), ct);

    public async Task<int> PendingCountAsync(CancellationToken ct) =>
        (int)(long)(await ReadAsync(s => s.ScalarAsync("SELECT count(*) FROM outbox WHERE state = 'pending'"), ct))!;

    private static OutboxItem ReadOutboxItem(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        NoticeJson.Deserialize(r.GetString(3)),
        r.GetInt32(4),
        Time.From(r.GetInt64(5)),
        r.IsDBNull(6) ? null : new ChannelConfig(r.GetString(2), r.GetString(6), r.GetString(7), ParseSettings(r.GetString(8)), Time.From(r.GetInt64(9))));

    private static JsonObject ParseSettings(string json) => JsonNode.Parse(json) as JsonObject ?? [];
}
