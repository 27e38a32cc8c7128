-- The cached queue of cases in review, in display order (oldest first).
CREATE TABLE queue (
    case_id   TEXT PRIMARY KEY NOT NULL,
    position  INTEGER NOT NULL,
    item      TEXT NOT NULL          -- desk-core QueueItem as JSON (media-free by construction)
);
CREATE INDEX queue_position ON queue (position);

CREATE TABLE queue_sync (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    synced_at TEXT NOT NULL
);

-- Fetched case summaries (no images, no media links: they never reach desk-core types).
CREATE TABLE summaries (
    case_id    TEXT PRIMARY KEY NOT NULL,
    fetched_at TEXT NOT NULL,
    summary    TEXT NOT NULL
);

-- Local history of each case: reveals, decisions, conflicts. Append-only.
CREATE TABLE history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX history_case ON history (case_id, id);
CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
