-- The web app's monitor page lists the notices planned for one monitor: each outbox row names its
-- monitor (test notices name none).
ALTER TABLE outbox ADD COLUMN monitor_id TEXT COLLATE "C";
UPDATE outbox SET monitor_id = notice::json -> 'monitor' ->> 'id' WHERE notice_type <> 'test';
CREATE INDEX outbox_monitor ON outbox (monitor_id, id) WHERE monitor_id IS NOT NULL;
