//! The rules the team store's server keeps whatever a member sends: logged in as a reviewer
//! with sqlx directly (not through the desk), every way round the rules is refused by the
//! server; a lead does what a lead may. And the connection's trust: a server without TLS,
//! another CA's certificate and another host's certificate are each refused in their own words.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use chrono::Utc;
use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::claims::{ClaimStore, Hold};
use desk_core::four_eyes::{Answer, AnswerRefused, FourEyes, FourEyesRule, SecondLook};
use desk_core::outbox::ActionKind;
use desk_core::profile::Role;
use desk_core::team::TeamLog;
use desk_store::PgStore;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgConnection};

/// A member's own connection, as psql would give them: no desk in between.
async fn raw(member: &common::Member) -> PgConnection {
    let address = desk_store::TeamAddress::parse(&member.url).unwrap();
    let options: PgConnectOptions = address.options(Some(&member.password));
    options.connect().await.unwrap()
}

/// `sql` is refused by the server, with words that contain `why`.
async fn refused(conn: &mut PgConnection, sql: &str, why: &str) {
    let error = sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .expect_err(sql);
    let text = error.to_string();
    assert!(text.contains(why), "{sql}: {text}");
}

fn chain(actor: &str, n: usize) -> Vec<AuditEntry> {
    let mut head: Option<(i64, String)> = None;
    (0..n)
        .map(|k| {
            let e = AuditEntry::seal(
                AuditDraft {
                    at: format!("2026-12-04T10:00:{k:02}.000000Z"),
                    actor: actor.into(),
                    action: "reveal".into(),
                    case_id: format!("case-{k}"),
                    app_version: "test".into(),
                    ..AuditDraft::default()
                },
                head.as_ref().map(|(s, h)| (*s, h.as_str())),
            );
            head = Some((e.seq, e.hash.clone()));
            e
        })
        .collect()
}

fn look(action_id: &str) -> SecondLook {
    SecondLook {
        action_id: action_id.into(),
        case_id: "case-9".into(),
        kind: ActionKind::Decline,
        rule: FourEyesRule::Decline,
        requested_by: String::new(),
        reason_id: Some("doc_altered".into()),
        comment: None,
        requested_at: Utc::now().to_rfc3339(),
        answer: None,
    }
}

fn answer() -> Answer {
    Answer {
        by: "whoever the desk says".into(),
        confirmed: true,
        note: None,
        at: Utc::now().to_rfc3339(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_reviewer_is_refused_by_the_server_and_a_lead_does_what_a_lead_may() {
    let server = common::Postgres::start();
    let team = server.team("rules");
    let a = team.reviewer("amira");
    let b = team.reviewer("youssef");
    let c = team.reviewer("leila");
    let lead = team.named("salma", Role::TeamLead);
    let (a_store, b_store, c_store, lead_store) = (
        team.store(&a).await,
        team.store(&b).await,
        team.store(&c).await,
        team.store(&lead).await,
    );
    // B's desk has copied two entries; B holds a claim.
    let b_chain = chain(&b.identity, 2);
    assert_eq!(b_store.mirror("desk-b", &b_chain).await.unwrap(), 2);
    let until = Utc::now() + chrono::Duration::minutes(10);
    let Hold::Held(b_claim) = b_store.hold("case-b", "", until).await.unwrap() else {
        panic!("B holds a free case")
    };

    let mut conn = raw(&a).await;
    // The team's audit: not rewritten, not emptied, its guards not taken down.
    for sql in [
        "UPDATE audit SET comment = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "DROP TRIGGER audit_no_update ON audit",
        "ALTER TABLE audit DISABLE TRIGGER ALL",
        "INSERT INTO audit (seq, at, actor, action, case_id, app_version, prev_hash, hash, origin, origin_seq, origin_hash) \
         VALUES (999, 'now', 'B', 'reveal', 'x', 't', 'p', 'h', 'desk-b', 9223372036854775000, 'h')",
        "INSERT INTO members (login, name, email, role) VALUES ('amira2', 'A', 'a@dhmad.tn', 'lead')",
        "UPDATE members SET role = 'lead' WHERE login = 'amira'",
        "GRANT rules_desk_lead TO amira",
        "DELETE FROM claims",
        "UPDATE claims SET holder_login = 'amira'",
        "UPDATE second_looks SET answered_by = 'x'",
        "INSERT INTO team_settings (key, value) VALUES ('four_eyes', '')",
        "DELETE FROM desks",
    ] {
        let error = sqlx::query(sql).execute(&mut conn).await.map(|_| ()).expect_err(sql);
        let text = error.to_string();
        assert!(
            text.contains("permission denied") || text.contains("must be owner") || text.contains("must have admin option"),
            "{sql}: {text}"
        );
    }
    // Not even reading the team's audit: that is for leads.
    refused(&mut conn, "SELECT comment FROM audit", "permission denied").await;

    // Copying as B's desk, out of sequence, an edited entry, a huge seq: each refused.
    let json = |entries: &[AuditEntry]| serde_json::to_string(entries).unwrap();
    let copy = |origin: &str, entries: &[AuditEntry]| {
        format!(
            "SELECT desk_copy('{origin}', '{}'::jsonb)",
            json(entries).replace('\'', "''")
        )
    };
    let a_chain = chain(&a.identity, 3);
    refused(&mut conn, &copy("desk-b", &a_chain[..1]), "is youssef's").await;
    refused(
        &mut conn,
        &copy("desk-a", &a_chain[1..2]),
        "does not follow",
    )
    .await;
    let mut edited = a_chain[0].clone();
    edited.draft.comment = Some("added later".into());
    refused(
        &mut conn,
        &copy("desk-a", &[edited]),
        "does not match its hash",
    )
    .await;
    let mut far = a_chain[0].clone();
    far.seq = i64::MAX - 1;
    far.hash = desk_core::audit::hash(far.seq, &far.draft, &far.prev_hash);
    refused(&mut conn, &copy("desk-a", &[far]), "does not follow").await;
    // A reviewer cannot set the second-look share by writing its entry.
    let mut share = chain(&a.identity, 1);
    share[0].draft.action = desk_core::blind_review::SHARE_ACTION.into();
    share[0].hash = desk_core::audit::hash(1, &share[0].draft, &share[0].prev_hash);
    refused(&mut conn, &copy("desk-a", &share), "second-look share").await;
    // B's copy goes on: nothing A sent moved B's desk on the team's chain.
    assert_eq!(b_store.mirrored("desk-b").await.unwrap(), 2);
    assert_eq!(a_store.mirror("desk-a", &a_chain).await.unwrap(), 3);

    // A restored (or cloned) database whose entries differ from the team's: refused loudly.
    let restored = chain("Someone Else <x@dhmad.tn>", 4);
    let error = a_store
        .mirror("desk-a", &restored)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("restored or cloned"), "{error}");

    // Claims: B's is neither released nor renewed by A; leases are the server's, bounded.
    assert!(!a_store.release("case-b", "").await.unwrap());
    match a_store
        .hold("case-b", &b.identity, until + chrono::Duration::hours(1))
        .await
        .unwrap()
    {
        Hold::HeldBy(held) => assert_eq!(held.expires_at, b_claim.expires_at, "not renewed by A"),
        Hold::Held(_) => panic!("A took B's live claim"),
    }
    refused(
        &mut conn,
        "SELECT * FROM desk_claim_hold('case-a', 86401)",
        "a lease is 1 s to 24 h",
    )
    .await;
    refused(
        &mut conn,
        "SELECT * FROM desk_claim_hold('case-a', 100000000)",
        "a lease is 1 s to 24 h",
    )
    .await;
    refused(
        &mut conn,
        "SELECT * FROM desk_claim_release_any('case-b')",
        "that is for a lead",
    )
    .await;
    // A desk whose clock runs a day fast still gets only what the server allows.
    let skewed = a_store
        .hold("case-a", "", Utc::now() + chrono::Duration::days(3))
        .await;
    assert!(skewed
        .unwrap_err()
        .to_string()
        .contains("a lease is 1 s to 24 h"));

    // Four-eyes: not one's own, not twice, the policy a lead's.
    a_store.ask(&look("act-1")).await.unwrap();
    assert_eq!(
        a_store.answer("act-1", &answer()).await.unwrap(),
        Err(AnswerRefused::OwnAction)
    );
    let confirmed = b_store.answer("act-1", &answer()).await.unwrap().unwrap();
    assert_eq!(
        confirmed.answer.unwrap().by,
        b.identity,
        "the server names who answered"
    );
    assert_eq!(
        c_store.answer("act-1", &answer()).await.unwrap(),
        Err(AnswerRefused::Answered(b.identity.clone()))
    );
    let policy = a_store.set_policy(&[]).await.unwrap_err().to_string();
    assert!(policy.contains("that is for a lead"), "{policy}");
    refused(
        &mut conn,
        "SELECT desk_set_policy('')",
        "that is for a lead",
    )
    .await;

    // The lead: clears B's claim, sets the policy, reads the team's audit.
    let cleared = lead_store.release_any("case-b").await.unwrap().unwrap();
    assert_eq!(cleared.holder, b.identity);
    lead_store
        .set_policy(&[FourEyesRule::Decline])
        .await
        .unwrap();
    assert_eq!(b_store.policy().await.unwrap(), vec![FourEyesRule::Decline]);
    let report = desk_core::audit::verify(&lead_store, None).await.unwrap();
    assert!(report.ok && report.count == 5, "{report:?}");
    let stamped = server.psql(
        "rules",
        "SELECT string_agg(member, ',' ORDER BY seq) FROM audit",
    );
    assert_eq!(stamped.trim(), "youssef,youssef,amira,amira,amira");
}

#[tokio::test]
async fn a_desk_trusts_only_a_server_it_can_verify_and_says_why_not() {
    let server = common::Postgres::start();
    let team = server.team("trust");
    let amira = team.reviewer("amira");
    let connect = |url: String| {
        let password = amira.password.clone();
        async move {
            PgStore::connect(&url, Some(&password))
                .await
                .map(|_| ())
                .unwrap_err()
                .to_string()
        }
    };
    // Another CA's certificate.
    let other = amira.url.replace(
        &server.ca.display().to_string(),
        &server.other_ca.display().to_string(),
    );
    let said = connect(other).await;
    assert!(
        said.contains("not signed by a CA the desk trusts"),
        "{said}"
    );
    // The right CA, but the certificate is for localhost, not 127.0.0.1.
    let said = connect(amira.url.replace("@localhost:", "@127.0.0.1:")).await;
    assert!(said.contains("for another host name"), "{said}");
    // A wrong password is said as such; the right one signs in.
    let wrong = PgStore::connect(&amira.url, Some("not the password")).await;
    assert!(wrong
        .map(|_| ())
        .unwrap_err()
        .to_string()
        .contains("refused the password"));
    assert_eq!(team.store(&amira).await.me().await.unwrap().login, "amira");
    // A login the team does not know (a server role that is not a member).
    server.psql(
        "postgres",
        "CREATE ROLE stranger LOGIN PASSWORD 'stranger-password'",
    );
    let said = PgStore::connect(&team.url("stranger"), Some("stranger-password"))
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        said.contains("permission denied") || said.contains("not a member"),
        "{said}"
    );
    // No password reached the server's log.
    let log = server.log();
    assert!(!log.contains(&amira.password) && !log.contains(&team.owner_password));

    // A server that offers no TLS at all.
    let plain = common::Postgres::start_plaintext();
    let plain_team = plain.team("plain");
    let member = plain_team.reviewer("amira");
    let verified = member.url.replace("sslmode=disable", "sslmode=verify-full");
    let said = PgStore::connect(&verified, Some(&member.password))
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(said.contains("does not offer TLS"), "{said}");
}

#[tokio::test]
async fn a_desk_never_migrates_and_says_who_should() {
    let server = common::Postgres::start();
    let fresh = server.database("fresh");
    server.psql(
        "fresh",
        "CREATE ROLE early LOGIN PASSWORD 'early-password-1'",
    );
    server.psql("fresh", "GRANT CONNECT ON DATABASE fresh TO early");
    let said = PgStore::connect(&fresh.url("early"), Some("early-password-1"))
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        said.contains("ask your administrator to run `desk team init`"),
        "{said}"
    );
    // An older schema: the desk names the upgrade, and runs nothing.
    fresh.init();
    let member = fresh.reviewer("amira");
    server.psql(
        "fresh",
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    );
    let said = PgStore::connect(&member.url, Some(&member.password))
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        said.contains("ask your administrator to run `desk team upgrade`"),
        "{said}"
    );
    // init twice is refused; upgrade is the administrator's word for later versions.
    let mut admin = desk_store::TeamAdmin::connect(&fresh.owner_url(), &fresh.owner_password)
        .await
        .unwrap();
    assert!(admin
        .init()
        .await
        .unwrap_err()
        .to_string()
        .contains("already set up"));
    // A member's desk cannot run the administrator's commands.
    let mut as_member = desk_store::TeamAdmin::connect(&member.url, &member.password)
        .await
        .unwrap();
    assert!(as_member.upgrade().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_is_an_error_within_seconds_and_the_listener_catches_up_after() {
    use futures_util::StreamExt;
    use std::time::{Duration, Instant};
    let server = common::Postgres::start();
    let team = server.team("pause");
    let (amira, youssef) = (team.reviewer("amira"), team.reviewer("youssef"));
    let (watching, acting) = (team.store(&amira).await, team.store(&youssef).await);
    let mut changes = watching
        .claim_changes_every(Duration::from_secs(1), None)
        .await
        .unwrap();
    let until = Utc::now() + chrono::Duration::minutes(10);
    acting.hold("case-1", "", until).await.unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .unwrap();
    assert_eq!(heard.unwrap().unwrap(), "case-1");

    server.pause();
    let asked = Instant::now();
    let silent = watching.claims().await;
    let took = asked.elapsed();
    println!("a paused server became an error after {took:.2?}");
    assert!(
        matches!(silent, Err(desk_core::ports::StoreError::Unreachable(_))),
        "{silent:?}"
    );
    assert!(
        took <= desk_store::ANSWER_WITHIN + Duration::from_secs(2),
        "{took:?}"
    );
    let said = tokio::time::timeout(Duration::from_secs(20), changes.next())
        .await
        .expect("the listener notices the silence");
    assert!(
        matches!(
            said,
            Some(Err(desk_core::ports::StoreError::Unreachable(_)))
        ),
        "{said:?}"
    );

    server.unpause();
    // Changed while the listener was away: read from the change table when it listens again.
    acting.hold("case-2", "", until).await.unwrap();
    acting.release("case-1", "").await.unwrap();
    let mut after = Vec::new();
    while after.len() < 2 {
        let next = tokio::time::timeout(Duration::from_secs(20), changes.next())
            .await
            .expect("the listener catches up after the server is back");
        after.push(next.unwrap().unwrap());
    }
    assert_eq!(after, ["case-2", "case-1"]);

    // The table itself: a feed started after change 0 reads every change so far, in order.
    let mut replay = watching
        .claim_changes_every(Duration::from_secs(60), Some(0))
        .await
        .unwrap();
    let mut all = Vec::new();
    for _ in 0..3 {
        all.push(replay.next().await.unwrap().unwrap());
    }
    assert_eq!(all, ["case-1", "case-2", "case-1"]);
}

#[tokio::test]
async fn the_administrator_changes_roles_and_removes_members_and_the_server_follows() {
    let server = common::Postgres::start();
    let team = server.team("admin");
    let amira = team.reviewer("amira");
    let store = team.store(&amira).await;
    assert_eq!(store.me().await.unwrap().role, Role::Reviewer);
    let mut conn = raw(&amira).await;
    refused(&mut conn, "SELECT 1 FROM audit", "permission denied").await;

    let mut admin = desk_store::TeamAdmin::connect(&team.owner_url(), &team.owner_password)
        .await
        .unwrap();
    admin.set_role("amira", Role::TeamLead).await.unwrap();
    assert_eq!(store.me().await.unwrap().role, Role::TeamLead);
    let mut again = raw(&amira).await;
    sqlx::query("SELECT 1 FROM audit")
        .execute(&mut again)
        .await
        .unwrap();
    admin.set_role("amira", Role::Support).await.unwrap();
    let mut support = raw(&amira).await;
    refused(&mut support, "SELECT 1 FROM audit", "permission denied").await;
    refused(
        &mut support,
        "SELECT * FROM desk_claim_hold('c', 60)",
        "that is for a reviewer or lead",
    )
    .await;
    assert!(admin.set_role("nobody", Role::Reviewer).await.is_err());
    // Bad members are refused before anything reaches the server.
    for (login, name, email) in [
        ("Bad-Login", "Name", "n@dhmad.tn"),
        ("ok_login", "", "n@dhmad.tn"),
        ("ok_login", "Name <x>", "n@dhmad.tn"),
        ("ok_login", "Name", "not an email"),
    ] {
        let member = desk_store::TeamMember {
            login: login.into(),
            name: name.into(),
            email: email.into(),
            role: Role::Reviewer,
        };
        assert!(
            admin
                .add_member(&member, "a long enough password")
                .await
                .is_err(),
            "{login} {name} {email}"
        );
    }
    let short = desk_store::TeamMember {
        login: "shorty".into(),
        name: "Shorty".into(),
        email: "s@dhmad.tn".into(),
        role: Role::Reviewer,
    };
    assert!(admin.add_member(&short, "short").await.is_err());
    let dup = admin
        .add_member(
            &desk_store::TeamMember {
                login: "amira".into(),
                ..short.clone()
            },
            "a long enough password",
        )
        .await;
    assert!(dup.unwrap_err().to_string().contains("already exists"));
    let members = admin.members().await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.login.as_str()).collect::<Vec<_>>(),
        ["amira"]
    );

    admin.remove_member("amira").await.unwrap();
    let gone = PgStore::connect(&amira.url, Some(&amira.password)).await;
    assert!(gone.is_err(), "a removed member's login is gone");
    assert!(admin.members().await.unwrap().is_empty());
}
