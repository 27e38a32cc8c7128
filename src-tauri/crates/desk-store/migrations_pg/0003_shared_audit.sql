-- The shared audit: each desk copies its own chain here. Every copied entry keeps where it came
-- from (the desk's id, its seq and hash there), so an auditor can match both chains, and a copy
-- retried after a lost answer is refused instead of doubled.
ALTER TABLE audit ADD COLUMN origin TEXT;
ALTER TABLE audit ADD COLUMN origin_seq BIGINT;
ALTER TABLE audit ADD COLUMN origin_hash TEXT;
CREATE UNIQUE INDEX audit_origin ON audit (origin, origin_seq) WHERE origin IS NOT NULL;

-- Every change of a claim is announced, so other desks show "being reviewed by" at once
-- (LISTEN review_desk_claims) instead of polling.
CREATE FUNCTION claims_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('review_desk_claims', COALESCE(NEW.case_id, OLD.case_id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER claims_changed AFTER INSERT OR UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION claims_announce();

-- Presence: each desk says who it is and which case it has open, every so often.
CREATE TABLE presence (
    desk_id   TEXT PRIMARY KEY,
    reviewer  TEXT NOT NULL,
    case_id   TEXT,
    seen_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
