-- The ping journal. A routine ping (one that changes neither the status, the due time nor the
-- incident) is recorded here alone: the row is appended at the end of one small table, where
-- the pings of a group commit share a few pages, instead of rewriting the monitor's row and an
-- index page at random places. Each row holds the event and the monitor's state after it. The
-- store folds the journal into events and monitors in bulk (every second, before any other write
-- that touches them, before reads, at start after a crash) and empties it.
CREATE TABLE journal (
    id               INTEGER PRIMARY KEY,
    monitor_id       TEXT NOT NULL,
    at               INTEGER NOT NULL,
    type             TEXT NOT NULL,
    ok               INTEGER NOT NULL,
    msg              TEXT,
    value            REAL,
    ping             REAL,
    exit_status      INTEGER,
    duration_ms      INTEGER,
    body             TEXT,
    rid              TEXT,
    source           TEXT,
    status           TEXT NOT NULL,
    last_signal_at   INTEGER,
    last_message     TEXT,
    last_value       REAL,
    next_deadline_at INTEGER,
    run_started_at   INTEGER,
    run_rid          TEXT,
    last_duration_ms INTEGER,
    failure_streak   INTEGER NOT NULL,
    event_count      INTEGER NOT NULL,
    success_streak   INTEGER NOT NULL,
    last_alert_at    INTEGER
);

-- Events become a ring per monitor: event number seq (1, 2, ... per monitor, monitors.event_count
-- is the last one) goes to slot (seq - 1) % ring size, replacing the event that was there. Keeping
-- the last N events then costs one in-place write per event and no pruning at all, and the table
-- never holds more than N events per monitor. The store lays existing events out for its ring size
-- at start (settings key events.ring): here each keeps a slot of its own.
CREATE TABLE event_ring (
    monitor_id  TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
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
    source      TEXT,
    details     TEXT,
    PRIMARY KEY (monitor_id, slot)
) WITHOUT ROWID;

INSERT INTO event_ring (monitor_id, slot, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, details)
SELECT monitor_id, seq - 1, seq, at, type, ok, msg, value, ping, exit_status, duration_ms, body, rid, source, details
FROM (SELECT *, row_number() OVER (PARTITION BY monitor_id ORDER BY id) AS seq FROM events);

UPDATE monitors SET event_count = (SELECT count(*) FROM event_ring WHERE monitor_id = monitors.id);
DELETE FROM settings WHERE key = 'events.ring';

DROP TABLE events;
ALTER TABLE event_ring RENAME TO events;
