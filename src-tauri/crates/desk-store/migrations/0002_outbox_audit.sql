-- The outbox: every action the desk takes, from "queued" to its end state.
CREATE TABLE actions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order
    id              TEXT NOT NULL UNIQUE,
    token           TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    action          TEXT NOT NULL               -- desk-core Action as JSON
);
-- At most one open decision per case: a second Ctrl+Enter cannot create another.
CREATE UNIQUE INDEX one_open_decision_per_case ON actions (case_id)
    WHERE kind IN ('approve', 'decline', 'resubmit') AND state IN ('queued', 'sending');
CREATE INDEX actions_by_state ON actions (state, seq);

-- The audit log: append-only, hash-chained (desk-core audit.rs defines the hash).
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    action_id   TEXT,
    from_state  TEXT,
    to_state    TEXT,
    reason_id   TEXT,
    comment     TEXT,
    outcome     TEXT,
    token       TEXT,
    app_version TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, seq);
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The unchained case history is replaced by the audit log.
DROP TRIGGER history_is_append_only_update;
DROP TRIGGER history_is_append_only_delete;
DROP TABLE history;
