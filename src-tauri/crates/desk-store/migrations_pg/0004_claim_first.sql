-- "Next case" for a desk: the first of its candidates (oldest first) that no live claim holds,
-- taken in one call. Desks racing do not queue behind each other: a candidate another desk is
-- taking right now (its advisory lock held) is passed over at once, like SKIP LOCKED, so each
-- desk gets the next free case instead of losing the race for the same one.
CREATE FUNCTION claim_first(candidates TEXT[], who TEXT, until TIMESTAMPTZ)
RETURNS SETOF claims LANGUAGE plpgsql AS $$
DECLARE
    c   TEXT;
    got claims%ROWTYPE;
BEGIN
    -- The free ones, found as one set (an anti-join), then tried in order.
    FOR c IN
        SELECT t.case_id FROM unnest(candidates) WITH ORDINALITY AS t(case_id, ord)
        WHERE NOT EXISTS (SELECT 1 FROM claims k WHERE k.case_id = t.case_id AND k.expires_at >= now())
        ORDER BY t.ord
    LOOP
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('review_desk_claim'), hashtext(c));
        INSERT INTO claims (case_id, holder, expires_at) VALUES (c, who, until)
            ON CONFLICT (case_id) DO UPDATE SET holder = EXCLUDED.holder,
                claimed_at = now(), expires_at = EXCLUDED.expires_at
            WHERE claims.expires_at < now()
            RETURNING * INTO got;
        IF FOUND THEN
            RETURN NEXT got;
            RETURN;
        END IF;
    END LOOP;
END;
$$;
