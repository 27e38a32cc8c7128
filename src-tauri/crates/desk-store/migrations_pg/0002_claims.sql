-- Claims: which desk's reviewer holds a case, until when (a lease renewed while it is open).
CREATE TABLE claims (
    case_id    TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX claims_by_expiry ON claims (expires_at);
