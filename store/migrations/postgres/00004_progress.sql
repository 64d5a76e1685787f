-- +goose Up
-- The XP ledger: append-only events (quest rewards included), one per idempotency key per user.
CREATE TABLE xp_events (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key   text NOT NULL,
    source            text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('segment', 'quiz', 'reward')),
    base_xp           integer NOT NULL CHECK (base_xp >= 0),
    multiplier_pct    integer NOT NULL CHECK (multiplier_pct >= 100),
    xp                integer NOT NULL CHECK (xp >= 0),
    active_seconds    integer NOT NULL CHECK (active_seconds >= 0),
    tokens            integer NOT NULL,
    total_xp_after    bigint NOT NULL,
    task_completed    boolean NOT NULL,
    score             double precision,
    session_completed boolean NOT NULL,
    quest_key         text,
    parent_id         uuid,
    booster_until     timestamptz,
    occurred_at       timestamptz NOT NULL,
    local_date        date NOT NULL,
    timezone          text NOT NULL,
    created_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX xp_events_idempotency ON xp_events (user_id, idempotency_key);
CREATE INDEX xp_events_user_time ON xp_events (user_id, occurred_at);
CREATE INDEX xp_events_parent ON xp_events (parent_id) WHERE parent_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION xp_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'xp_events is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER xp_events_no_update BEFORE UPDATE ON xp_events
    FOR EACH ROW EXECUTE FUNCTION xp_events_append_only();

-- Daily rollups keyed by the user's local date, updated in the event's transaction.
CREATE TABLE xp_daily (
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_date         date NOT NULL,
    xp                 bigint NOT NULL DEFAULT 0,
    xp_segment         bigint NOT NULL DEFAULT 0,
    xp_quiz            bigint NOT NULL DEFAULT 0,
    xp_reward          bigint NOT NULL DEFAULT 0,
    active_seconds     bigint NOT NULL DEFAULT 0,
    events             integer NOT NULL DEFAULT 0,
    tasks_completed    integer NOT NULL DEFAULT 0,
    high_scores        integer NOT NULL DEFAULT 0,
    sessions_completed integer NOT NULL DEFAULT 0,
    freeze_covered     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, local_date)
);

CREATE TABLE xp_daily_sources (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_date     date NOT NULL,
    source         text NOT NULL,
    xp             bigint NOT NULL DEFAULT 0,
    active_seconds bigint NOT NULL DEFAULT 0,
    events         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, local_date, source)
);

-- One row per user: totals and streak state, locked by every award.
CREATE TABLE xp_progress (
    user_id           uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    total_xp          bigint NOT NULL DEFAULT 0,
    tokens            bigint NOT NULL DEFAULT 0,
    streak_current    integer NOT NULL DEFAULT 0,
    streak_longest    integer NOT NULL DEFAULT 0,
    streak_last       date,
    freezes_held      integer NOT NULL DEFAULT 0 CHECK (freezes_held BETWEEN 0 AND 2),
    freezes_used      integer NOT NULL DEFAULT 0,
    booster_pct       integer NOT NULL DEFAULT 0,
    booster_starts_at timestamptz,
    booster_ends_at   timestamptz,
    updated_at        timestamptz NOT NULL
);

-- +goose Down
DROP TABLE xp_progress;
DROP TABLE xp_daily_sources;
DROP TABLE xp_daily;
DROP TABLE xp_events;
DROP FUNCTION xp_events_append_only();
