-- Maintenance windows (times Unix milliseconds, durations seconds). Monitors and tags are JSON arrays.
CREATE TABLE maintenance (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    monitors   TEXT NOT NULL DEFAULT '[]',
    tags       TEXT NOT NULL DEFAULT '[]',
    start_at   BIGINT,
    end_at     BIGINT,
    schedule   TEXT,
    duration_s DOUBLE PRECISION,
    tz         TEXT NOT NULL,
    effect     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Each stretch of a window in force; ends_at is NULL while a manual window runs. A pause window's
-- occurrence records that it paused its monitors (started), which ones, and that it resumed them (finished).
CREATE TABLE maintenance_occurrences (
    window_id TEXT COLLATE "C" NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT,
    started   BOOLEAN NOT NULL DEFAULT FALSE,
    finished  BOOLEAN NOT NULL DEFAULT FALSE,
    paused    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (window_id, starts_at)
);
CREATE INDEX maintenance_occurrences_ends ON maintenance_occurrences (ends_at);

-- An incident whose down notice a window held: alerted when no window covers its monitor any more.
ALTER TABLE incidents ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX incidents_muted ON incidents (monitor_id) WHERE muted AND ended_at IS NULL;
