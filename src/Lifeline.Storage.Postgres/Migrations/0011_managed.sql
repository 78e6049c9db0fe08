-- Config as code: a monitor declared in the file given to `lifeline serve --config` carries the key
-- it has there (its name, or its own `key`); null for monitors made through the API or the app.
ALTER TABLE monitors ADD COLUMN managed_key TEXT;
CREATE UNIQUE INDEX monitors_managed_key ON monitors (managed_key) WHERE managed_key IS NOT NULL;
