-- Several servers on one database. Each checks in to nodes every few seconds; leases name work
-- one server at a time does (a shard of the monitors, the Telegram poller) and expire unless renewed.
CREATE TABLE nodes (
    id           TEXT COLLATE "C" PRIMARY KEY,
    address      TEXT NOT NULL,
    version      TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE leases (
    name       TEXT COLLATE "C" PRIMARY KEY,
    holder     TEXT COLLATE "C" NOT NULL,
    epoch      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A monitor's shard (0..63) follows from its id; the node holding the shard's lease sweeps it.
ALTER TABLE monitors ADD COLUMN shard SMALLINT GENERATED ALWAYS AS ((hashtext(id) & 63)::smallint) STORED;

-- The node that claimed a notice: when it is gone, the claim ends without waiting for its lease.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
