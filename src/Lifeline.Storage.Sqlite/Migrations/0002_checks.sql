-- Active checks: retry timing, recovery threshold, condition results on events, hourly rollups.
ALTER TABLE monitors ADD COLUMN retry_interval_s REAL;
ALTER TABLE monitors ADD COLUMN success_threshold INTEGER NOT NULL DEFAULT 1;
ALTER TABLE monitors ADD COLUMN success_streak INTEGER NOT NULL DEFAULT 0;

-- JSON: {"unknown": bool, "conditions": [{"condition", "ok", "text"}]} for check events.
ALTER TABLE events ADD COLUMN details TEXT;

-- One row per monitor and hour (Unix ms of the hour's start); latency is a JSON array of bucket counts.
CREATE TABLE check_rollups (
    monitor_id TEXT NOT NULL,
    hour       INTEGER NOT NULL,
    checks     INTEGER NOT NULL,
    failures   INTEGER NOT NULL,
    unknown    INTEGER NOT NULL,
    latency    TEXT NOT NULL,
    PRIMARY KEY (monitor_id, hour)
) WITHOUT ROWID;
