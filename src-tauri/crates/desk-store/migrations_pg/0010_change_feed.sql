-- Claim and second-look changes are kept, not only announced: NOTIFY has no replay, so a desk
-- whose listening connection dropped (a restart, a paused server, a cut cable) reads what it
-- missed from here when it listens again, and every so often in any case. Each announcement
-- carries its change's seq ("SEQ CASE_ID"), so a desk knows where it is.
CREATE TABLE team_changes (
    seq     BIGSERIAL PRIMARY KEY,
    case_id TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION claims_announce() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    n BIGINT;
BEGIN
    INSERT INTO team_changes (case_id) VALUES (COALESCE(NEW.case_id, OLD.case_id)) RETURNING seq INTO n;
    -- A day of changes is plenty for any desk to catch up on; older ones go, now and then.
    IF n % 1000 = 0 THEN
        DELETE FROM team_changes WHERE at < now() - interval '1 day';
    END IF;
    PERFORM pg_notify('review_desk_claims', n || ' ' || COALESCE(NEW.case_id, OLD.case_id));
    RETURN NULL;
END;
$$;

DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON team_changes TO %I', current_database() || '_desk_member');
END;
$$;
