-- Public status pages (groups: JSON [{"name", "monitors": [ids]}]) and the incident notes posted on them.
CREATE TABLE status_pages (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    groups      TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL
);

CREATE TABLE status_notes (
    id         TEXT PRIMARY KEY,
    page_id    TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX status_notes_page ON status_notes (page_id, created_at);

-- Each monitor's badge key: 128 random bits, given to the monitors that exist now as well.
ALTER TABLE monitors ADD COLUMN badge_key TEXT;
UPDATE monitors SET badge_key = lower(hex(randomblob(16))) WHERE badge_key IS NULL;
CREATE UNIQUE INDEX monitors_badge_key ON monitors (badge_key);
