-- +goose Up
-- Pending OAuth authorizations. Only the SHA-256 of a state is stored; the PKCE verifier is
-- sealed with the encryption key (internal/secretbox). A state is consumed by one conditional
-- UPDATE (used_at IS NULL AND expires_at > now), so it works once.
CREATE TABLE oauth_states (
    state_hash      text PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider        text NOT NULL CHECK (provider IN ('google_calendar')),
    sealed_verifier text NOT NULL,
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    used_at         DATETIME
);
CREATE INDEX oauth_states_user ON oauth_states (user_id, expires_at);

-- Connected accounts. Tokens are sealed (AES-256-GCM, bound to user, provider and column);
-- key_id names the key that sealed them, for rotation.
CREATE TABLE integrations (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider       text NOT NULL CHECK (provider IN ('google_calendar')),
    status         text NOT NULL CHECK (status IN ('connected', 'error')),
    account_email  text,
    scopes         text NOT NULL,
    sealed_access  text NOT NULL,
    sealed_refresh text,
    token_type     text NOT NULL,
    token_expiry   DATETIME,
    key_id         text NOT NULL,
    connected_at   DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    PRIMARY KEY (user_id, provider)
);

-- +goose Down
DROP TABLE integrations;
DROP TABLE oauth_states;
