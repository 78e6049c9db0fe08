-- Checking from several locations. A monitor's locations are JSON (null: the server alone), its
-- quorum null for a majority. Probes keep only hashes of their secrets; enrol tokens are one-time.
ALTER TABLE monitors ADD COLUMN locations TEXT;
ALTER TABLE monitors ADD COLUMN quorum INTEGER;
ALTER TABLE monitors ADD COLUMN all_addresses BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX monitors_remote ON monitors (id) WHERE locations IS NOT NULL;

CREATE TABLE locations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL UNIQUE,
    created_at       BIGINT NOT NULL,
    watch_monitor_id TEXT,
    enroll_hash      BYTEA UNIQUE
);

CREATE TABLE probes (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    enrolled_at BIGINT NOT NULL,
    last_seen   BIGINT
);
CREATE INDEX probes_location ON probes (location_id);

-- Result batches stored, so a batch sent again is not stored twice (pruned after a day).
CREATE TABLE probe_batches (
    probe_id TEXT NOT NULL,
    batch    TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (probe_id, batch)
);

-- A location saw a monitor fail: every other location checks it again now.
CREATE TABLE rechecks (
    monitor_id TEXT PRIMARY KEY,
    at         BIGINT NOT NULL
);
