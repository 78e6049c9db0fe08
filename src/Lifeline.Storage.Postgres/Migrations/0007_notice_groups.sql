-- Notice grouping: a channel's next down (or up) notice waits for its grouping window after the
-- last one of that type it was sent; the claim looks that time up per channel and type.
CREATE INDEX outbox_sent ON outbox (channel_id, notice_type, sent_at) WHERE state = 'sent';
