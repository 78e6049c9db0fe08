-- Times are Unix milliseconds (UTC); durations are seconds.
CREATE TABLE monitors (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    slug             TEXT UNIQUE,
    kind             TEXT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    channels         TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    last_signal_at   INTEGER,
    last_message     TEXT,
    last_value       REAL,
    next_deadline_at INTEGER,
    due_at           INTEGER,
    open_incident_id INTEGER,
    push_token       TEXT UNIQUE,
    period_s         REAL NOT NULL,
    grace_s          REAL NOT NULL,
    schedule         TEXT,
    tz               TEXT NOT NULL,
    manual_resume    INTEGER NOT NULL,
    run_started_at   INTEGER,
    run_rid          TEXT,
    last_duration_ms INTEGER,
    target           TEXT,
    interval_s       REAL NOT NULL,
    timeout_s        REAL NOT NULL,
    retries          INTEGER NOT NULL,
    conditions       TEXT NOT NULL DEFAULT '[]',
    method           TEXT,
    headers          TEXT NOT NULL DEFAULT '{}',
    body             TEXT,
    failure_streak   INTEGER NOT NULL DEFAULT 0,
    event_count      INTEGER NOT NULL DEFAULT 0
);
-- The sweeps read only monitors that can change by themselves.
CREATE INDEX monitors_due ON monitors (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX monitors_name ON monitors (name, id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    monitor_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    msg         TEXT,
    value       REAL,
    ping        REAL,
    exit_status INTEGER,
    duration_ms INTEGER,
    body        TEXT,
    rid         TEXT,
    source      TEXT
);
CREATE INDEX events_monitor ON events (monitor_id, id);

CREATE TABLE incidents (
    id         INTEGER PRIMARY KEY,
    monitor_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    reason     TEXT NOT NULL
);
CREATE INDEX incidents_monitor ON incidents (monitor_id, id);

CREATE TABLE channels (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    delivery_id  TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    notice       TEXT NOT NULL,
    notice_type  TEXT NOT NULL,
    monitor_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER,
    state        TEXT NOT NULL DEFAULT 'pending',
    last_error   TEXT,
    sent_at      INTEGER
);
-- Head-of-line per channel: notices of one channel go out in order.
CREATE INDEX outbox_pending ON outbox (channel_id, id) WHERE state = 'pending';

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL,
    channel_id  TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    state       TEXT NOT NULL
);
CREATE INDEX deliveries_channel ON deliveries (channel_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL,
    read_only  INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
