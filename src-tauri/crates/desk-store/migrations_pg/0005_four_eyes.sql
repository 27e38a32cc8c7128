-- Four-eyes: the team's rules, and the questions desks ask a second reviewer. A question is
-- answered once, never by the reviewer who asked (checked in the answering statement).
CREATE TABLE team_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE second_looks (
    action_id    TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    rule         TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason_id    TEXT,
    comment      TEXT,
    requested_at TEXT NOT NULL,
    answered_by  TEXT,
    confirmed    BOOLEAN,
    note         TEXT,
    answered_at  TEXT
);
CREATE INDEX second_looks_pending ON second_looks (requested_at) WHERE answered_by IS NULL;

-- Other desks hear of a question or an answer the way they hear of claims.
CREATE TRIGGER second_looks_changed AFTER INSERT OR UPDATE ON second_looks
    FOR EACH ROW EXECUTE FUNCTION claims_announce();
