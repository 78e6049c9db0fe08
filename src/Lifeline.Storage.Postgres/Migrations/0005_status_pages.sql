-- Public status pages (groups: JSON [{"name", "monitors": [ids]}]) and the incident notes posted on them.
CREATE TABLE status_pages (
    id          TEXT COLLATE "C" PRIMARY KEY,
    slug        TEXT COLLATE "C" NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    groups      TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL
);

CREATE TABLE status_notes (
    id         TEXT COLLATE "C" PRIMARY KEY,
    page_id    TEXT COLLATE "C" NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX status_notes_page ON status_notes (page_id, created_at);

-- Each monitor's badge key: 128 random bits (gen_random_uuid draws from a strong source), given
-- to the monitors that exist now as well.
ALTER TABLE monitors ADD COLUMN badge_key TEXT COLLATE "C";
UPDATE monitors SET badge_key = replace(gen_random_uuid()::text, '-', '') WHERE badge_key IS NULL;
CREATE UNIQUE INDEX monitors_badge_key ON monitors (badge_key);
