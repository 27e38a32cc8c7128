-- The VerifyHQ users the team watches (VerifyHQ lists verifications per user only): one list
-- for every desk of the team, in the order users were added, with who added each.
CREATE TABLE verifyhq_watch (
    position BIGSERIAL UNIQUE,
    user_id  TEXT PRIMARY KEY,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
