-- Times are Unix milliseconds (UTC) in bigint columns, as in the SQLite store; durations are
-- seconds. JSON values are text. Names and ids sort bytewise (COLLATE "C"), whatever the
-- database's locale, so listing pages the same on every server.
CREATE TABLE monitors (
    id                TEXT COLLATE "C" PRIMARY KEY,
    name              TEXT COLLATE "C" NOT NULL,
    slug              TEXT UNIQUE,
    kind              TEXT NOT NULL,
    tags              TEXT NOT NULL DEFAULT '[]',
    channels          TEXT NOT NULL DEFAULT '[]',
    status            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    last_signal_at    BIGINT,
    last_message      TEXT,
    last_value        DOUBLE PRECISION,
    next_deadline_at  BIGINT,
    due_at            BIGINT,
    open_incident_id  BIGINT,
    push_token        TEXT UNIQUE,
    period_s          DOUBLE PRECISION NOT NULL,
    grace_s           DOUBLE PRECISION NOT NULL,
    schedule          TEXT,
    tz                TEXT NOT NULL,
    manual_resume     BOOLEAN NOT NULL,
    run_started_at    BIGINT,
    run_rid           TEXT,
    last_duration_ms  BIGINT,
    target            TEXT,
    interval_s        DOUBLE PRECISION NOT NULL,
    timeout_s         DOUBLE PRECISION NOT NULL,
    retries           INTEGER NOT NULL,
    conditions        TEXT NOT NULL DEFAULT '[]',
    method            TEXT,
    headers           TEXT NOT NULL DEFAULT '{}',
    body              TEXT,
    failure_streak    INTEGER NOT NULL DEFAULT 0,
    event_count       INTEGER NOT NULL DEFAULT 0,
    retry_interval_s  DOUBLE PRECISION,
    success_threshold INTEGER NOT NULL DEFAULT 1,
    success_streak    INTEGER NOT NULL DEFAULT 0,
    remind_every_s    DOUBLE PRECISION,
    notify_recovery   BOOLEAN NOT NULL DEFAULT TRUE,
    last_alert_at     BIGINT
);
-- The sweeps read only monitors that can change by themselves.
CREATE INDEX monitors_due ON monitors (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX monitors_name ON monitors (name, id);

-- Events are a ring per monitor: event number seq (1, 2, ... per monitor; monitors.event_count is
-- the last one) takes slot (seq - 1) % ring size, replacing the event there, so the table keeps the
-- last N events of each monitor with one upsert per event and no pruning.
CREATE TABLE events (
    monitor_id  TEXT COLLATE "C" NOT NULL,
    slot        INTEGER NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    type        TEXT NOT NULL,
    ok          BOOLEAN NOT NULL,
    msg         TEXT,
    value       DOUBLE PRECISION,
    ping        DOUBLE PRECISION,
    exit_status INTEGER,
    duration_ms BIGINT,
    body        TEXT,
    rid         TEXT,
    source      TEXT,
    -- Check events: {"unknown": bool, "conditions": [{"condition", "ok", "text"}]}.
    details     TEXT,
    PRIMARY KEY (monitor_id, slot)
);

CREATE TABLE incidents (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_id TEXT COLLATE "C" NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at   BIGINT,
    reason     TEXT NOT NULL
);
CREATE INDEX incidents_monitor ON incidents (monitor_id, id);

CREATE TABLE channels (
    id         TEXT COLLATE "C" PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    settings   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  TEXT NOT NULL,
    channel_id   TEXT COLLATE "C" NOT NULL,
    notice       TEXT NOT NULL,
    notice_type  TEXT NOT NULL,
    monitor_name TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  BIGINT,
    state        TEXT NOT NULL DEFAULT 'pending',
    last_error   TEXT,
    sent_at      BIGINT
);
-- Head-of-line per channel: notices of one channel go out in order.
CREATE INDEX outbox_pending ON outbox (channel_id, id) WHERE state = 'pending';

CREATE TABLE deliveries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id   BIGINT NOT NULL,
    channel_id  TEXT COLLATE "C" NOT NULL,
    attempt     INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    ok          BOOLEAN NOT NULL,
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
    hash       BYTEA NOT NULL,
    read_only  BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per active monitor and hour (Unix ms of the hour's start); latency is a JSON array of bucket counts.
CREATE TABLE check_rollups (
    monitor_id TEXT COLLATE "C" NOT NULL,
    hour       BIGINT NOT NULL,
    checks     INTEGER NOT NULL,
    failures   INTEGER NOT NULL,
    unknown    INTEGER NOT NULL,
    latency    TEXT NOT NULL,
    PRIMARY KEY (monitor_id, hour)
);
