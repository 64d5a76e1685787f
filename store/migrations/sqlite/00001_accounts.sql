-- +goose Up
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       text NOT NULL,
    email          text NOT NULL,
    password_hash  text NOT NULL,
    full_name      text,
    role           text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'super_admin')),
    timezone       text NOT NULL DEFAULT 'UTC',
    language       text NOT NULL DEFAULT 'en',
    avatar_url     text,
    live_nickname  text,
    plan           text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
    public_profile BOOLEAN NOT NULL DEFAULT 0,
    disabled_at    DATETIME,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

CREATE TABLE auth_sessions (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_ip   text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    revoked_at  DATETIME
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    parent_id   TEXT,
    token_hash  text NOT NULL UNIQUE,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_id);

CREATE TABLE rate_limits (
    bucket       text PRIMARY KEY,
    window_start DATETIME NOT NULL,
    count        integer NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE refresh_tokens;
DROP TABLE auth_sessions;
DROP TABLE users;
