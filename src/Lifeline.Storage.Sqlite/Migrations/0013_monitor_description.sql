-- A monitor's description, and the ping methods and keywords Healthchecks' Management API sets
-- (JSON; null when none were set).
ALTER TABLE monitors ADD COLUMN description TEXT;
ALTER TABLE monitors ADD COLUMN ping_rules TEXT;
