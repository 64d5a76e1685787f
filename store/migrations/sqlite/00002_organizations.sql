-- +goose Up
CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        text NOT NULL,
    slug        text NOT NULL,
    description text,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX organizations_slug_ci ON organizations (lower(slug));

CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL,
    description     text,
    manager_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX teams_org_name_ci ON teams (organization_id, lower(name));

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('admin', 'manager', 'member')),
    team_id         TEXT REFERENCES teams (id) ON DELETE SET NULL,
    joined_at       DATETIME NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_team ON memberships (team_id);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    name            text NOT NULL,
    prefix          text NOT NULL,
    key_hash        text NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes          text NOT NULL,
    allowed_ips     text NOT NULL,
    expires_at      DATETIME,
    last_used_at    DATETIME,
    created_at      DATETIME NOT NULL
);
CREATE INDEX api_keys_org ON api_keys (organization_id);
CREATE INDEX api_keys_creator ON api_keys (created_by);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE memberships;
DROP TABLE teams;
DROP TABLE organizations;
