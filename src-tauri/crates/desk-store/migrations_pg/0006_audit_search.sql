-- The lead's audit view on the team's log: the same filters as a desk's own, newest first.
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_action ON audit (action, seq);
CREATE INDEX audit_to_state ON audit (to_state, seq);
CREATE INDEX audit_reason ON audit (reason_id, seq);
CREATE INDEX audit_at ON audit (at);
