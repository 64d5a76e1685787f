-- +goose Up
-- Xentree English. The catalogue ships with the server (content/xel) and is mirrored here by
-- store.SyncXELCatalogue at start: rows are upserted by their stable UUIDv5 ids, never deleted
-- (a module or task removed from the files gets retired_at), so learners' progress and history
-- keep referencing them. Only the public content is stored; the grading keys stay in the binary.
CREATE TABLE xel_modules (
    id                uuid PRIMARY KEY,
    slug              text NOT NULL UNIQUE,
    title             text NOT NULL,
    description       text NOT NULL,
    level             text NOT NULL CHECK (level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    skill             text NOT NULL CHECK (skill IN ('vocabulary', 'grammar', 'reading', 'listening', 'writing', 'speaking')),
    estimated_minutes integer NOT NULL CHECK (estimated_minutes > 0),
    material_kind     text CHECK (material_kind IN ('passage', 'transcript')),
    material_title    text,
    material_text     text,
    task_count        integer NOT NULL,
    -- SHA-256 of the module's file with the mirror's format version: equal means nothing to write.
    fingerprint       text NOT NULL,
    retired_at        timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE xel_tasks (
    id           uuid PRIMARY KEY,
    module_id    uuid NOT NULL REFERENCES xel_modules (id),
    slug         text NOT NULL,
    position     integer NOT NULL,
    type         text NOT NULL CHECK (type IN ('multiple_choice', 'fill_blank', 'reorder', 'short_answer', 'writing', 'speaking')),
    prompt       text NOT NULL,
    options      text,
    blanks       integer,
    min_words    integer,
    max_words    integer,
    target_level text CHECK (target_level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    retired_at   timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (module_id, slug),
    -- Target of the (task, module) references below: a record names a task of its own module.
    UNIQUE (id, module_id)
);

-- A learner's record on one task. Every submission locks this row first, so a task's first pass
-- (and its XP) happens exactly once however many submissions race.
CREATE TABLE xel_task_progress (
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id           uuid NOT NULL,
    module_id         uuid NOT NULL REFERENCES xel_modules (id),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    best_score        double precision CHECK (best_score BETWEEN 0 AND 100),
    -- An objective submission that did not pass showed the expected answer.
    revealed          boolean NOT NULL DEFAULT false,
    passed_at         timestamptz,
    xp_awarded        integer NOT NULL DEFAULT 0 CHECK (xp_awarded >= 0),
    first_at          timestamptz,
    last_at           timestamptz,
    PRIMARY KEY (user_id, task_id),
    FOREIGN KEY (task_id, module_id) REFERENCES xel_tasks (id, module_id),
    CHECK ((attempts = 0) = (best_score IS NULL))
);
CREATE INDEX xel_task_progress_module ON xel_task_progress (user_id, module_id);

-- Every graded submission, kept as the learner's history.
CREATE TABLE xel_submissions (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module_id          uuid NOT NULL REFERENCES xel_modules (id),
    task_id            uuid NOT NULL,
    attempt            integer NOT NULL CHECK (attempt > 0),
    answer             text,
    ordered_items      text,
    score              double precision NOT NULL CHECK (score BETWEEN 0 AND 100),
    correct            boolean,
    passed             boolean NOT NULL,
    feedback           text NOT NULL,
    expected_answer    text,
    -- Writing and speaking: the evaluation (JSON), its level and the evaluator that answered.
    evaluation         text,
    cefr_estimate      text CHECK (cefr_estimate IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    evaluator_provider text,
    evaluator_model    text,
    xp_awarded         integer NOT NULL CHECK (xp_awarded >= 0),
    active_seconds     integer NOT NULL CHECK (active_seconds >= 0),
    created_at         timestamptz NOT NULL,
    FOREIGN KEY (task_id, module_id) REFERENCES xel_tasks (id, module_id),
    UNIQUE (user_id, task_id, attempt)
);
CREATE INDEX xel_submissions_user ON xel_submissions (user_id, created_at DESC, id DESC);
CREATE INDEX xel_submissions_evaluated ON xel_submissions (user_id, created_at DESC) WHERE cefr_estimate IS NOT NULL;

-- +goose Down
DROP TABLE xel_submissions;
DROP TABLE xel_task_progress;
DROP TABLE xel_tasks;
DROP TABLE xel_modules;
