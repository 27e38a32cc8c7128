-- The lead's audit view filters by reviewer, action, state reached, reason and time, newest
-- first: each filter walks its own index backwards from the newest entry.
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_action ON audit (action, seq);
CREATE INDEX audit_to_state ON audit (to_state, seq);
CREATE INDEX audit_reason ON audit (reason_id, seq);
CREATE INDEX audit_at ON audit (at);
