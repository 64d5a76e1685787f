-- +goose Up
-- Keys stored before expiries were bounded (issue 7) with a year past 9999 in UTC (stored as
-- text whose fifth character is not '-') could not be read back, which broke every listing of
-- their organization; they get the longest expiry allowed now.
UPDATE api_keys SET expires_at = strftime('%Y-%m-%d %H:%M:%S+00:00', 'now', '+5 years')
WHERE expires_at IS NOT NULL AND substr(expires_at, 5, 1) <> '-';

-- Pruning deletes by these columns; without indexes every pass scanned whole tables.
CREATE INDEX rate_limits_window ON rate_limits (window_start);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
CREATE INDEX auth_sessions_revoked ON auth_sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- When each maintenance job last ran, so one run per interval serves every replica.
CREATE TABLE maintenance_jobs (
    name        text PRIMARY KEY,
    last_run_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE maintenance_jobs;
DROP INDEX auth_sessions_revoked;
DROP INDEX auth_sessions_expires;
DROP INDEX rate_limits_window;
