-- Alert policy: repeated down notices, optional recovery notices.
ALTER TABLE monitors ADD COLUMN remind_every_s REAL;
ALTER TABLE monitors ADD COLUMN notify_recovery INTEGER NOT NULL DEFAULT 1;
ALTER TABLE monitors ADD COLUMN last_alert_at INTEGER;
