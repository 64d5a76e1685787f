-- +goose Up
-- Tutor conversations, their messages and learning sessions. Writes to one conversation (an
-- exchange appended, a session started, credited or ended, the conversation deleted) hold its
-- row lock (store.LockConversation), so they serialize across replicas.
CREATE TABLE conversations (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            text NOT NULL,
    -- The caller gave no title: the first message names the conversation.
    title_from_chat  boolean NOT NULL,
    provider         text NOT NULL,
    model            text,
    system_prompt    text,
    message_count    integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    last_message_at  timestamptz,
    -- The list's order: the last message, else the creation.
    last_activity_at timestamptz NOT NULL,
    -- Target of the composite foreign keys below: a message or session belongs to its
    -- conversation's owner, by construction.
    UNIQUE (id, user_id)
);
CREATE INDEX conversations_user_activity ON conversations (user_id, last_activity_at DESC, id DESC);

-- One row per turn, plain text. user_id repeats the conversation's owner (enforced by the
-- foreign key), so per-user content search reads this table alone.
CREATE TABLE conversation_messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    -- Order within the conversation, from 0; both turns of an exchange are stored together.
    seq             integer NOT NULL CHECK (seq >= 0),
    role            text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content         text NOT NULL,
    -- What answered (assistant turns only).
    provider        text,
    model           text,
    created_at      timestamptz NOT NULL,
    UNIQUE (conversation_id, seq),
    FOREIGN KEY (conversation_id, user_id) REFERENCES conversations (id, user_id) ON DELETE CASCADE
);
CREATE INDEX conversation_messages_user ON conversation_messages (user_id, created_at DESC);

-- Active time is credited in whole seconds up to credited_until; last_activity_at is the
-- client's last sign of life, from which the idle timeout counts.
CREATE TABLE learning_sessions (
    id               uuid PRIMARY KEY,
    conversation_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    status           text NOT NULL CHECK (status IN ('active', 'ended')),
    started_at       timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    credited_until   timestamptz NOT NULL,
    active_seconds   bigint NOT NULL DEFAULT 0 CHECK (active_seconds >= 0),
    ended_at         timestamptz,
    end_reason       text CHECK (end_reason IN ('ended', 'idle_timeout')),
    CHECK ((status = 'active') = (ended_at IS NULL)),
    CHECK ((status = 'active') = (end_reason IS NULL)),
    FOREIGN KEY (conversation_id, user_id) REFERENCES conversations (id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX learning_sessions_one_active ON learning_sessions (conversation_id) WHERE status = 'active';
CREATE INDEX learning_sessions_conversation ON learning_sessions (conversation_id, started_at DESC, id DESC);
CREATE INDEX learning_sessions_idle ON learning_sessions (last_activity_at) WHERE status = 'active';

-- +goose Down
DROP TABLE learning_sessions;
DROP TABLE conversation_messages;
DROP TABLE conversations;
