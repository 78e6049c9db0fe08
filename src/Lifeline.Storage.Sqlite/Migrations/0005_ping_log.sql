-- Routine pings now wait in a log file beside the database (PingLog.cs) instead of the journal
-- table: fold whatever a crash left in the table, as the store did, and drop it.
INSERT OR REPLACE INTO events (monitor_id, slot, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source)
SELECT monitor_id, (event_count - 1) % coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'events.ring'), 100),
       event_count, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source
FROM journal ORDER BY id;

UPDATE monitors SET status = s.status, last_signal_at = s.last_signal_at, last_message = s.last_message,
    last_value = s.last_value, next_deadline_at = s.next_deadline_at, run_started_at = s.run_started_at,
    run_rid = s.run_rid, last_duration_ms = s.last_duration_ms, failure_streak = s.failure_streak,
    event_count = s.event_count, success_streak = s.success_streak, last_alert_at = s.last_alert_at
FROM (SELECT * FROM journal WHERE id IN (SELECT max(id) FROM journal GROUP BY monitor_id)) AS s
WHERE monitors.id = s.monitor_id;

DROP TABLE journal;
