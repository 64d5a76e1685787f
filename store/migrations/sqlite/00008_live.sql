-- +goose Up
-- Xentree Live. Every write for one user runs in one write transaction (BEGIN IMMEDIATE, so
-- serialized; see store.LockLiveUser); the constraints below hold the invariants even so: one
-- active session per user, and usage only ever grows by conditional upserts within the quota.
CREATE TABLE live_sessions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_type      text NOT NULL CHECK (session_type IN ('voice', 'avatar')),
    status            text NOT NULL CHECK (status IN ('active', 'ended', 'expired')),
    started_at        DATETIME NOT NULL,
    last_heartbeat_at DATETIME NOT NULL,
    -- Time is charged in whole seconds; the remainder since charged_until waits for the next charge.
    charged_until     DATETIME NOT NULL,
    used_seconds      INTEGER NOT NULL DEFAULT 0 CHECK (used_seconds >= 0),
    ended_at          DATETIME,
    end_reason        text CHECK (end_reason IN ('ended', 'quota_exhausted', 'idle_timeout')),
    CHECK ((status = 'active') = (ended_at IS NULL)),
    CHECK ((status = 'active') = (end_reason IS NULL))
);
CREATE UNIQUE INDEX live_sessions_one_active ON live_sessions (user_id) WHERE status = 'active';
CREATE INDEX live_sessions_user ON live_sessions (user_id, started_at DESC);

-- Seconds charged per user and calendar month (UTC); period_start is the month's first instant.
CREATE TABLE live_usage (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period_start DATETIME NOT NULL,
    used_seconds INTEGER NOT NULL CHECK (used_seconds >= 0),
    PRIMARY KEY (user_id, period_start)
);

CREATE TABLE live_transcripts (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id         TEXT REFERENCES live_sessions (id) ON DELETE SET NULL,
    session_started_at DATETIME NOT NULL,
    session_ended_at   DATETIME NOT NULL,
    turn_count         integer NOT NULL,
    created_at         DATETIME NOT NULL
);
CREATE UNIQUE INDEX live_transcripts_session ON live_transcripts (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX live_transcripts_user ON live_transcripts (user_id, session_started_at DESC, id DESC);

-- One row per utterance, in order (seq from 0): what content search joins on (text, by user
-- through live_transcripts).
CREATE TABLE live_transcript_turns (
    transcript_id TEXT NOT NULL REFERENCES live_transcripts (id) ON DELETE CASCADE,
    seq           integer NOT NULL,
    role          text NOT NULL CHECK (role IN ('user', 'ai')),
    text          text NOT NULL,
    spoken_at     DATETIME NOT NULL,
    PRIMARY KEY (transcript_id, seq)
);

-- +goose Down
DROP TABLE live_transcript_turns;
DROP TABLE live_transcripts;
DROP TABLE live_usage;
DROP TABLE live_sessions;
