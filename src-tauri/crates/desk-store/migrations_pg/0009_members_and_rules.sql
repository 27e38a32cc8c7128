-- One login per member, and the rules the server keeps whatever a desk sends.
--
-- Run by the administrator (`desk team init`, `desk team upgrade`) as the owner role, which
-- owns every table and function here. Members log in as themselves and belong to this
-- database's member role (and its lead role for leads): they read what their views need and
-- change anything only through the SECURITY DEFINER functions below, which take who is acting
-- from the session's login (session_user) and the time from the server's clock.

CREATE TABLE members (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email    TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    role     TEXT NOT NULL CHECK (role IN ('reviewer', 'lead', 'support')),
    added_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Which member's desk each chain of copied entries is: bound by the desk's first copy.
CREATE TABLE desks (
    desk_id    TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE audit ADD COLUMN member TEXT;
ALTER TABLE audit ADD COLUMN received_at TIMESTAMPTZ;
ALTER TABLE claims ADD COLUMN holder_login TEXT;
ALTER TABLE second_looks ADD COLUMN requested_login TEXT;
ALTER TABLE second_looks ADD COLUMN answered_login TEXT;
ALTER TABLE presence ADD COLUMN login TEXT;

-- The member the session is, or an error.
CREATE FUNCTION desk_member() RETURNS members
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members;
BEGIN
    SELECT * INTO m FROM members WHERE login = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the login % is not a member of this team', session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN m;
END;
$$;

CREATE FUNCTION desk_label(m members) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT m.name || ' <' || m.email || '>'
$$;

-- Who the desk is signed in as: the desk shows it and acts as it.
CREATE FUNCTION desk_me() RETURNS TABLE (login TEXT, name TEXT, email TEXT, role TEXT)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
BEGIN
    RETURN QUERY SELECT m.login, m.name, m.email, m.role;
END;
$$;

CREATE FUNCTION desk_require(allowed TEXT[], what TEXT) RETURNS members
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
BEGIN
    IF NOT m.role = ANY(allowed) THEN
        RAISE EXCEPTION '% may not %: that is for a %', m.login, what, array_to_string(allowed, ' or ')
            USING ERRCODE = '42501';
    END IF;
    RETURN m;
END;
$$;

-- The chain's link as the desks compute it (desk-core's audit::digest): SHA-256 over the
-- previous hash, a tag, the seq and each field length-prefixed (NULL as eight 0xff bytes).
CREATE FUNCTION audit_field(t TEXT) RETURNS BYTEA LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN t IS NULL THEN decode('ffffffffffffffff', 'hex')
        ELSE int8send(octet_length(t)::BIGINT) || convert_to(t, 'UTF8') END
$$;

CREATE FUNCTION audit_digest(seq BIGINT, prev TEXT, e JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(
        convert_to(prev, 'UTF8') || convert_to('review-desk-audit-v1', 'UTF8') || int8send(seq)
        || audit_field(e->>'at') || audit_field(e->>'actor') || audit_field(e->>'action')
        || audit_field(e->>'case_id') || audit_field(e->>'action_id')
        || audit_field(e->>'from_state') || audit_field(e->>'to_state')
        || audit_field(e->>'reason_id') || audit_field(e->>'comment')
        || audit_field(e->>'outcome') || audit_field(e->>'token')
        || audit_field(e->>'app_version')), 'hex')
$$;

-- Copies a desk's entries onto the team chain. The desk is the session's member's (bound on
-- its first copy); each entry must match its own hash and follow the desk's previous one; an
-- entry the team already holds must be the same one (a restored or cloned database is refused,
-- not skipped); the team's link is computed here, stamped with the member and the server's
-- time. Returns how many entries were appended.
CREATE FUNCTION desk_copy(origin_desk TEXT, entries JSONB) RETURNS INTEGER
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
    bound TEXT;
    last_seq BIGINT;
    last_hash TEXT;
    head_seq BIGINT;
    head_hash TEXT;
    held TEXT;
    prev TEXT;
    e JSONB;
    s BIGINT;
    n INTEGER := 0;
    genesis CONSTANT TEXT := repeat('0', 64);
BEGIN
    IF origin_desk IS NULL OR length(origin_desk) NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'a desk id is 1 to 100 characters' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(90520955454807);
    INSERT INTO desks (desk_id, login) VALUES (origin_desk, m.login) ON CONFLICT (desk_id) DO NOTHING;
    SELECT login INTO bound FROM desks WHERE desk_id = origin_desk;
    IF bound <> m.login THEN
        RAISE EXCEPTION 'desk % is %''s: % cannot copy entries as that desk', origin_desk, bound, m.login
            USING ERRCODE = '42501';
    END IF;
    SELECT a.origin_seq, a.origin_hash INTO last_seq, last_hash FROM audit a
        WHERE a.origin = origin_desk ORDER BY a.origin_seq DESC LIMIT 1;
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit a ORDER BY a.seq DESC LIMIT 1;
    FOR e IN SELECT value FROM jsonb_array_elements(entries) LOOP
        s := (e->>'seq')::BIGINT;
        IF audit_digest(s, e->>'prev_hash', e) IS DISTINCT FROM e->>'hash' THEN
            RAISE EXCEPTION 'entry % of desk % does not match its hash: its log was edited; nothing was copied', s, origin_desk
                USING ERRCODE = '22000';
        END IF;
        IF s <= COALESCE(last_seq, 0) THEN
            SELECT a.origin_hash INTO held FROM audit a WHERE a.origin = origin_desk AND a.origin_seq = s;
            IF held IS DISTINCT FROM e->>'hash' THEN
                RAISE EXCEPTION 'entry % of desk % is not the one the team holds for it (a restored or cloned database?); nothing was copied', s, origin_desk
                    USING ERRCODE = '23505';
            END IF;
            CONTINUE;
        END IF;
        IF s <> COALESCE(last_seq, 0) + 1 OR e->>'prev_hash' IS DISTINCT FROM COALESCE(last_hash, genesis) THEN
            RAISE EXCEPTION 'entry % of desk % does not follow its entry % on the team chain; nothing was copied', s, origin_desk, COALESCE(last_seq, 0)
                USING ERRCODE = '22000';
        END IF;
        IF e->>'action' = 'blind_review_share' AND m.role <> 'lead' THEN
            RAISE EXCEPTION '% may not set the second-look share: that is for a lead', m.login
                USING ERRCODE = '42501';
        END IF;
        prev := COALESCE(head_hash, genesis);
        head_seq := COALESCE(head_seq, 0) + 1;
        head_hash := audit_digest(head_seq, prev, e);
        INSERT INTO audit (seq, at, actor, action, case_id, action_id, from_state, to_state,
            reason_id, comment, outcome, token, app_version, prev_hash, hash,
            origin, origin_seq, origin_hash, member, received_at)
        VALUES (head_seq, e->>'at', e->>'actor', e->>'action', e->>'case_id',
            e->>'action_id', e->>'from_state', e->>'to_state', e->>'reason_id', e->>'comment',
            e->>'outcome', e->>'token', e->>'app_version',
            prev, head_hash, origin_desk, s, e->>'hash', m.login, now());
        last_seq := s;
        last_hash := e->>'hash';
        n := n + 1;
    END LOOP;
    RETURN n;
END;
$$;

-- How far a desk's chain is on the team's (0: nothing yet).
CREATE FUNCTION desk_copied(origin_desk TEXT) RETURNS BIGINT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT COALESCE(MAX(origin_seq), 0) FROM audit WHERE origin = origin_desk
$$;

-- Claims: taken, renewed and let go by the member the session is, on the server's clock.
CREATE FUNCTION desk_lease(seconds INTEGER) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF seconds IS NULL OR seconds NOT BETWEEN 1 AND 86400 THEN
        RAISE EXCEPTION 'a lease is 1 s to 24 h on the server''s clock, not % s', seconds
            USING ERRCODE = '22023';
    END IF;
    RETURN now() + make_interval(secs => seconds);
END;
$$;

DROP FUNCTION claim_first(TEXT[], TEXT, TIMESTAMPTZ);

-- "Next case": the first candidate (in order) that no live claim holds, taken in one call;
-- a candidate another desk is taking this instant is passed over (as SKIP LOCKED would).
CREATE FUNCTION desk_claim_first(candidates TEXT[], seconds INTEGER) RETURNS SETOF claims
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['reviewer', 'lead'], 'claim a case');
    until TIMESTAMPTZ := desk_lease(seconds);
    c TEXT;
    got claims%ROWTYPE;
BEGIN
    FOR c IN
        SELECT t.case_id FROM unnest(candidates) WITH ORDINALITY AS t(case_id, ord)
        WHERE NOT EXISTS (SELECT 1 FROM claims k WHERE k.case_id = t.case_id AND k.expires_at >= now())
        ORDER BY t.ord
    LOOP
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('review_desk_claim'), hashtext(c));
        INSERT INTO claims (case_id, holder, holder_login, expires_at)
            VALUES (c, desk_label(m), m.login, until)
            ON CONFLICT (case_id) DO UPDATE SET holder = EXCLUDED.holder,
                holder_login = EXCLUDED.holder_login, claimed_at = now(),
                expires_at = EXCLUDED.expires_at
            WHERE claims.expires_at < now()
            RETURNING * INTO got;
        IF FOUND THEN
            RETURN NEXT got;
            RETURN;
        END IF;
    END LOOP;
END;
$$;

-- Takes one case when free or lapsed, or renews the session's member's own claim; returns
-- the claim as it now is (another member's when theirs is live).
CREATE FUNCTION desk_claim_hold(case_key TEXT, seconds INTEGER) RETURNS SETOF claims
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['reviewer', 'lead'], 'claim a case');
    until TIMESTAMPTZ := desk_lease(seconds);
BEGIN
    RETURN QUERY
    INSERT INTO claims AS k (case_id, holder, holder_login, expires_at)
        VALUES (case_key, desk_label(m), m.login, until)
        ON CONFLICT (case_id) DO UPDATE SET holder = EXCLUDED.holder,
            holder_login = EXCLUDED.holder_login,
            claimed_at = CASE WHEN k.holder_login = EXCLUDED.holder_login
                AND k.expires_at >= now() THEN k.claimed_at ELSE now() END,
            expires_at = EXCLUDED.expires_at
        WHERE k.holder_login = EXCLUDED.holder_login OR k.expires_at < now()
        RETURNING k.*;
    IF NOT FOUND THEN
        RETURN QUERY SELECT * FROM claims WHERE case_id = case_key;
    END IF;
END;
$$;

-- Lets go of the session's member's own claim.
CREATE FUNCTION desk_claim_release(case_key TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
BEGIN
    DELETE FROM claims WHERE case_id = case_key AND holder_login = m.login;
    RETURN FOUND;
END;
$$;

-- A lead clears anyone's claim (a desk that vanished); the desk audits it with who held it.
CREATE FUNCTION desk_claim_release_any(case_key TEXT) RETURNS SETOF claims
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['lead'], 'release another member''s claim');
BEGIN
    RETURN QUERY DELETE FROM claims WHERE case_id = case_key RETURNING *;
END;
$$;

-- Presence: each desk says it is here and what it has open, as the member the session is.
CREATE FUNCTION desk_announce(desk_key TEXT, open_case TEXT) RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
BEGIN
    INSERT INTO desks (desk_id, login) VALUES (desk_key, m.login) ON CONFLICT (desk_id) DO NOTHING;
    IF (SELECT login FROM desks WHERE desk_id = desk_key) <> m.login THEN
        RAISE EXCEPTION 'desk % is another member''s', desk_key USING ERRCODE = '42501';
    END IF;
    INSERT INTO presence (desk_id, reviewer, login, case_id, seen_at)
        VALUES (desk_key, desk_label(m), m.login, open_case, now())
        ON CONFLICT (desk_id) DO UPDATE SET reviewer = EXCLUDED.reviewer, login = EXCLUDED.login,
            case_id = EXCLUDED.case_id, seen_at = now();
END;
$$;

-- The team panel: desks seen since `since`, with each one's decisions since `day_start`.
CREATE FUNCTION desk_presence(since TIMESTAMPTZ, day_start TEXT)
RETURNS TABLE (reviewer TEXT, case_id TEXT, seen_at TIMESTAMPTZ, decisions BIGINT)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_member();
BEGIN
    RETURN QUERY SELECT p.reviewer, p.case_id, p.seen_at,
        (SELECT COUNT(*) FROM audit a WHERE a.member = p.login AND a.at >= day_start
         AND a.to_state = 'applied' AND a.action IN ('approve', 'decline', 'resubmit'))
    FROM presence p WHERE p.seen_at >= since ORDER BY p.reviewer;
END;
$$;

-- Four-eyes: a question asked as the session's member; an answer refused from the member who
-- asked and after a first answer; the policy changed by a lead only.
CREATE FUNCTION desk_ask(action_key TEXT, case_key TEXT, kind_name TEXT, rule_name TEXT,
    reason TEXT, words TEXT, asked_at TEXT) RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['reviewer', 'lead'], 'ask for a second look');
BEGIN
    INSERT INTO second_looks (action_id, case_id, kind, rule, requested_by, requested_login,
        reason_id, comment, requested_at)
    VALUES (action_key, case_key, kind_name, rule_name, desk_label(m), m.login, reason, words, asked_at)
    ON CONFLICT (action_id) DO NOTHING;
END;
$$;

CREATE FUNCTION desk_answer(action_key TEXT, yes BOOLEAN, words TEXT, answered TEXT)
RETURNS SETOF second_looks
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['reviewer', 'lead'], 'answer a second look');
BEGIN
    RETURN QUERY UPDATE second_looks SET answered_by = desk_label(m), answered_login = m.login,
        confirmed = yes, note = words, answered_at = answered
    WHERE action_id = action_key AND answered_by IS NULL
        AND requested_login IS DISTINCT FROM m.login
    RETURNING *;
END;
$$;

CREATE FUNCTION desk_set_policy(rules TEXT) RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['lead'], 'change the four-eyes policy');
BEGIN
    INSERT INTO team_settings (key, value) VALUES ('four_eyes', rules)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
END;
$$;

-- The VerifyHQ watch list, changed as the session's member, never beyond 5,000 users.
CREATE FUNCTION desk_watch_change(adding TEXT[], dropping TEXT[]) RETURNS SETOF TEXT
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m members := desk_require(ARRAY['reviewer', 'lead'], 'change the watch list');
    total BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(95073434206548);
    DELETE FROM verifyhq_watch WHERE user_id = ANY(dropping);
    INSERT INTO verifyhq_watch (user_id, added_by, added_at)
        SELECT u, desk_label(m), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM unnest(adding) WITH ORDINALITY AS t(u, ord) ORDER BY ord
        ON CONFLICT (user_id) DO NOTHING;
    SELECT COUNT(*) INTO total FROM verifyhq_watch;
    IF total > 5000 THEN
        RAISE EXCEPTION 'the watch list would hold % users; at most 5000 (each is read on every sync)', total
            USING ERRCODE = '22023';
    END IF;
    RETURN QUERY SELECT user_id FROM verifyhq_watch ORDER BY position;
END;
$$;

-- Roles: this database's member role (every member) and lead role (leads), named after the
-- database so two teams on one server stay apart. Members read what their views show; the
-- team's audit (comments included) is read by leads; every change goes through a function.
DO $$
DECLARE
    member_role TEXT := current_database() || '_desk_member';
    lead_role TEXT := current_database() || '_desk_lead';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = member_role) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', member_role);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = lead_role) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE %I', lead_role, member_role);
    END IF;
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), member_role);
    EXECUTE 'REVOKE ALL ON SCHEMA public FROM PUBLIC';
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', member_role);
    EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC';
    EXECUTE 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC';
    EXECUTE 'ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC';
    EXECUTE format('GRANT SELECT ON claims, second_looks, team_settings, verifyhq_watch, _sqlx_migrations TO %I', member_role);
    EXECUTE format('GRANT SELECT ON audit, members, presence, desks TO %I', lead_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION desk_me(), desk_copy(TEXT, JSONB), desk_copied(TEXT), '
        'desk_claim_first(TEXT[], INTEGER), desk_claim_hold(TEXT, INTEGER), desk_claim_release(TEXT), '
        'desk_claim_release_any(TEXT), desk_announce(TEXT, TEXT), desk_presence(TIMESTAMPTZ, TEXT), '
        'desk_ask(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT), desk_answer(TEXT, BOOLEAN, TEXT, TEXT), '
        'desk_set_policy(TEXT), desk_watch_change(TEXT[], TEXT[]) TO %I', member_role);
END;
$$;
