-- +goose Up
-- The knowledge base and the one full-text index behind every search (see the PostgreSQL
-- migration for the design). search_fts is an FTS5 index over search_entries (external
-- content: the text is stored once), kept in sync by the triggers below in the transaction of
-- every write; porter stemming over unicode61 words, as PostgreSQL's english configuration
-- stems (no diacritics folding on either side).
CREATE TABLE knowledge_documents (
    id              TEXT PRIMARY KEY,
    owner_user_id   TEXT REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    slug            text UNIQUE,
    checksum        text,
    title           text NOT NULL,
    content         text NOT NULL,
    content_type    text NOT NULL CHECK (content_type IN ('text/markdown', 'text/plain')),
    size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
    chunk_count     INTEGER NOT NULL CHECK (chunk_count >= 0),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK ((slug IS NULL) = (owner_user_id IS NOT NULL)),
    CHECK ((slug IS NULL) = (checksum IS NULL)),
    CHECK (slug IS NULL OR organization_id IS NULL)
);
CREATE INDEX knowledge_documents_owner ON knowledge_documents (owner_user_id, created_at DESC, id DESC);
CREATE INDEX knowledge_documents_org ON knowledge_documents (organization_id, created_at DESC, id DESC)
    WHERE organization_id IS NOT NULL;

-- id is an INTEGER PRIMARY KEY (the rowid, stable across VACUUM) because FTS5 keys on it.
CREATE TABLE search_entries (
    id              INTEGER PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('document', 'transcript', 'conversation', 'message')),
    object_id       TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    owner_user_id   TEXT REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    document_id     TEXT REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    chunk_id        TEXT UNIQUE,
    -- A conversation's entry (its title) and its messages' entries go with it.
    conversation_id TEXT REFERENCES conversations (id) ON DELETE CASCADE,
    title           text NOT NULL DEFAULT '',
    heading         text NOT NULL DEFAULT '',
    body            text NOT NULL,
    start_offset    INTEGER NOT NULL DEFAULT 0,
    end_offset      INTEGER NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL,
    -- Who may read the entry, as words FTS5 indexes ("u<owner hex>", "o<organization hex>",
    -- "lib" for the study library), so that a search intersects its words with the reader's
    -- scope inside the index instead of ranking every match of every user. The SQL filter on
    -- owner_user_id and organization_id stays the authority.
    scope           text GENERATED ALWAYS AS (
        CASE WHEN owner_user_id IS NULL THEN 'lib' ELSE 'u' || replace(owner_user_id, '-', '') END ||
        CASE WHEN organization_id IS NULL THEN '' ELSE ' o' || replace(organization_id, '-', '') END) VIRTUAL,
    CHECK ((kind = 'document') = (document_id IS NOT NULL)),
    CHECK ((kind = 'document') = (chunk_id IS NOT NULL)),
    CHECK (kind = 'document' OR owner_user_id IS NOT NULL),
    CHECK ((kind IN ('conversation', 'message')) = (conversation_id IS NOT NULL))
);
CREATE INDEX search_entries_owner ON search_entries (owner_user_id, kind);
CREATE INDEX search_entries_object ON search_entries (kind, object_id, seq);
CREATE INDEX search_entries_document ON search_entries (document_id, seq) WHERE document_id IS NOT NULL;
CREATE INDEX search_entries_org ON search_entries (organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX search_entries_conversation ON search_entries (conversation_id) WHERE conversation_id IS NOT NULL;

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, heading, body, scope,
    content = 'search_entries', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 0'
);
-- Merge index segments as soon as two share a level (the default waits for four): every
-- search seeks each term in every segment, so fewer segments is faster search for a little
-- more merging on writes (8 segments to 1 took a search from 16 to 5 ms on 50,000 chunks).
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 2);

-- +goose StatementBegin
CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, title, heading, body, scope) VALUES (new.id, new.title, new.heading, new.body, new.scope);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, heading, body, scope) VALUES ('delete', old.id, old.title, old.heading, old.body, old.scope);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_entries_au AFTER UPDATE OF title, heading, body, owner_user_id, organization_id ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, heading, body, scope) VALUES ('delete', old.id, old.title, old.heading, old.body, old.scope);
    INSERT INTO search_fts (rowid, title, heading, body, scope) VALUES (new.id, new.title, new.heading, new.body, new.scope);
END;
-- +goose StatementEnd

-- Conversations (migration 00005) are indexed by triggers, in the transaction of every write
-- whatever writes it: a conversation's title (as the entry's text, so snippets show it) and
-- each user or assistant message. Deleting a conversation cascades to its entries.
-- +goose StatementBegin
CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO search_entries (kind, object_id, seq, owner_user_id, conversation_id, body, created_at)
    VALUES ('conversation', new.id, 0, new.user_id, new.id, new.title, new.created_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_search_update AFTER UPDATE OF title ON conversations WHEN old.title IS NOT new.title BEGIN
    UPDATE search_entries SET body = new.title WHERE kind = 'conversation' AND object_id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversation_messages_search_insert AFTER INSERT ON conversation_messages
WHEN new.role IN ('user', 'assistant') BEGIN
    INSERT INTO search_entries (kind, object_id, seq, owner_user_id, conversation_id, body, created_at)
    VALUES ('message', new.id, new.seq, new.user_id, new.conversation_id, new.content, new.created_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversation_messages_search_update AFTER UPDATE OF content ON conversation_messages BEGIN
    UPDATE search_entries SET body = new.content WHERE kind = 'message' AND object_id = new.id;
END;
-- +goose StatementEnd

-- Conversations stored before this migration.
INSERT INTO search_entries (kind, object_id, seq, owner_user_id, conversation_id, body, created_at)
SELECT 'conversation', id, 0, user_id, id, title, created_at FROM conversations;
INSERT INTO search_entries (kind, object_id, seq, owner_user_id, conversation_id, body, created_at)
SELECT 'message', id, seq, user_id, conversation_id, content, created_at FROM conversation_messages
WHERE role IN ('user', 'assistant');

-- +goose Down
DROP TRIGGER conversation_messages_search_update;
DROP TRIGGER conversation_messages_search_insert;
DROP TRIGGER conversations_search_update;
DROP TRIGGER conversations_search_insert;
DROP TABLE search_fts;
DROP TABLE search_entries;
DROP TABLE knowledge_documents;
