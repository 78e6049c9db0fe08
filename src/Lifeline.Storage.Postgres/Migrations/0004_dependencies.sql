-- Dependencies and acknowledgements: a monitor's parents, the parent holding its down notice, and
-- who acknowledged its open incident; incidents keep both.
ALTER TABLE monitors ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]';
ALTER TABLE monitors ADD COLUMN suppressed_by TEXT;
ALTER TABLE monitors ADD COLUMN acked_by TEXT;
ALTER TABLE monitors ADD COLUMN acked_at BIGINT;
ALTER TABLE incidents ADD COLUMN suppressed_by TEXT;
ALTER TABLE incidents ADD COLUMN acked_by TEXT;
ALTER TABLE incidents ADD COLUMN acked_at BIGINT;
-- The dependency graph and the held monitors are read on every down notice and scheduler pass.
CREATE INDEX monitors_dependants ON monitors (id) WHERE depends_on <> '[]';
CREATE INDEX monitors_held ON monitors (id) WHERE suppressed_by IS NOT NULL;
