-- Checking from several locations. A monitor's locations are JSON (null: the server alone), its
-- quorum null for a majority. Probes keep only hashes of their secrets; enrol tokens are one-time.
ALTER TABLE monitors ADD COLUMN locations TEXT;
ALTER TABLE monitors ADD COLUMN quorum INTEGER;
ALTER TABLE monitors ADD COLUMN all_addresses INTEGER NOT NULL DEFAULT 0;
CREATE INDEX monitors_remote ON monitors (id) WHERE locations IS NOT NULL;

CREATE TABLE locations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL UNIQUE,
    created_at       INTEGER NOT NULL,
    watch_monitor_id TEXT,
    enroll_hash      BLOB UNIQUE
);

CREATE TABLE probes (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    enrolled_at INTEGER NOT NULL,
    last_seen   INTEGER
);
CREATE INDEX probes_location ON probes (location_id);

-- Result batches stored, so a batch sent again is not stored twice (pruned after a day).
CREATE TABLE probe_batches (
    probe_id TEXT NOT NULL,
    batch    TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (probe_id, batch)
);

-- A location saw a monitor fail: every other location checks it again now.
CREATE TABLE rechecks (
    monitor_id TEXT PRIMARY KEY,
    at         INTEGER NOT NULL
);
