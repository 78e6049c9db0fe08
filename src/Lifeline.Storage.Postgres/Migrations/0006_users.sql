-- Users of the web app. username_key is the username in one case: usernames are unique without case.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,
    security_stamp TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
