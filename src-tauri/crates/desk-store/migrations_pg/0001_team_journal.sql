-- The team store's journal on PostgreSQL: the same outbox and hash-chained audit log as a
-- desk's SQLite file, shared by every desk of a team.
CREATE TABLE actions (
    seq     BIGSERIAL PRIMARY KEY,      -- creation order
    id      TEXT NOT NULL UNIQUE,
    token   TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    state   TEXT NOT NULL,
    action  TEXT NOT NULL               -- desk-core Action as JSON
);
-- At most one open decision per case, whichever desk queued it.
CREATE UNIQUE INDEX one_open_decision_per_case ON actions (case_id)
    WHERE kind IN ('approve', 'decline', 'resubmit') AND state IN ('queued', 'sending');
CREATE INDEX actions_by_state ON actions (state, seq);

CREATE TABLE audit (
    seq         BIGINT PRIMARY KEY,
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

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
