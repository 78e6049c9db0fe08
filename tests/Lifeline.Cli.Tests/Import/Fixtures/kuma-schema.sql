-- The tables `lifeline import uptime-kuma` reads, as an Uptime Kuma 2.x SQLite database has them
-- after its migrations ran (template db/kuma.db, db/old_migrations/*.sql, db/knex_migrations/*.js
-- in louislam/uptime-kuma). Column names, types and defaults are Kuma's; only tables and columns
-- the importer reads, or that a Kuma monitor row always carries, are listed.

CREATE TABLE user (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username VARCHAR(255) NOT NULL UNIQUE,
    password VARCHAR(255),
    active BOOLEAN NOT NULL DEFAULT 1,
    timezone VARCHAR(150)
);

CREATE TABLE monitor (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(150),
    active BOOLEAN NOT NULL DEFAULT 1,
    user_id INTEGER REFERENCES user (id) ON DELETE SET NULL ON UPDATE CASCADE,
    interval INTEGER NOT NULL DEFAULT 20,
    url TEXT,
    type VARCHAR(20),
    weight INTEGER DEFAULT 2000,
    hostname VARCHAR(255),
    port INTEGER,
    created_date TIMESTAMP,
    keyword VARCHAR(255),
    maxretries INTEGER NOT NULL DEFAULT 0,
    ignore_tls BOOLEAN NOT NULL DEFAULT 0,
    upside_down BOOLEAN NOT NULL DEFAULT 0,
    maxredirects INTEGER NOT NULL DEFAULT 10,
    accepted_statuscodes_json TEXT NOT NULL DEFAULT '["200-299"]',
    dns_resolve_type VARCHAR(5),
    dns_resolve_server VARCHAR(255),
    dns_last_result TEXT,
    retry_interval INTEGER NOT NULL DEFAULT 0,
    push_token VARCHAR(32) DEFAULT NULL,
    method TEXT NOT NULL DEFAULT 'GET',
    body TEXT DEFAULT NULL,
    headers TEXT DEFAULT NULL,
    basic_auth_user TEXT DEFAULT NULL,
    basic_auth_pass TEXT DEFAULT NULL,
    docker_host INTEGER,
    docker_container VARCHAR(255),
    proxy_id INTEGER,
    expiry_notification BOOLEAN DEFAULT 1,
    description TEXT DEFAULT NULL,
    parent INTEGER REFERENCES monitor (id) ON DELETE SET NULL ON UPDATE CASCADE,
    invert_keyword BOOLEAN NOT NULL DEFAULT 0,
    json_path TEXT,
    expected_value VARCHAR(255),
    json_path_operator VARCHAR(255),
    timeout DOUBLE NOT NULL DEFAULT 0,
    resend_interval INTEGER NOT NULL DEFAULT 0,
    http_body_encoding VARCHAR(25),
    auth_method VARCHAR(250),
    conditions TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE notification (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name VARCHAR(255),
    active BOOLEAN NOT NULL DEFAULT 1,
    user_id INTEGER NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    config TEXT
);

CREATE TABLE monitor_notification (
    id INTEGER PRIMARY KEY NOT NULL,
    monitor_id INTEGER NOT NULL REFERENCES monitor (id) ON DELETE CASCADE ON UPDATE CASCADE,
    notification_id INTEGER NOT NULL REFERENCES notification (id) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE tag (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(255) NOT NULL,
    color VARCHAR(255) NOT NULL,
    created_date DATETIME NOT NULL DEFAULT (DATETIME('now'))
);

CREATE TABLE monitor_tag (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    monitor_id INTEGER NOT NULL REFERENCES monitor (id) ON DELETE CASCADE ON UPDATE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE ON UPDATE CASCADE,
    value TEXT
);
