//! The team store on a real PostgreSQL server (TLS, a login per member): holding a case, the
//! claim announcements other desks listen to, presence, and desks copying their own audit
//! chains onto the team's one chain — at the same time, and across a server outage.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use desk_core::audit::{self, AuditDraft};
use desk_core::claims::{ClaimStore, Hold};
use desk_core::ports::{AuditLog, StoreError};
use desk_core::profile::Role;
use desk_core::team::TeamLog;
use desk_store::SqliteStore;
use futures_util::StreamExt;

fn draft(actor: &str, what: &str, n: usize) -> AuditDraft {
    AuditDraft {
        at: format!("2026-12-01T09:{:02}:{:02}.000000Z", n / 60 % 60, n % 60),
        actor: actor.into(),
        action: what.into(),
        case_id: format!("case-{n}"),
        app_version: "test".into(),
        ..AuditDraft::default()
    }
}

async fn local_desk(dir: &std::path::Path, name: &str) -> SqliteStore {
    SqliteStore::open(&dir.join(format!("{name}.sqlite")))
        .await
        .unwrap()
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("desk-team-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_is_held_by_one_desk_renewed_by_it_and_announced_to_the_others() {
    let server = common::Postgres::start();
    let team = server.team("hold");
    let (amira, youssef) = (team.reviewer("amira"), team.reviewer("youssef"));
    let mine_store = team.store(&amira).await;
    let theirs_store = team.store(&youssef).await;
    let mut changes = theirs_store.claim_changes().await.unwrap();

    let until = Utc::now() + chrono::Duration::minutes(10);
    let asked = Instant::now();
    // The holder is the member the server knows for the login, whatever the desk says.
    let Hold::Held(mine) = mine_store
        .hold("case-1", "Someone Else", until)
        .await
        .unwrap()
    else {
        panic!("a free case is held")
    };
    assert_eq!(mine.holder, amira.identity);
    let announced = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("the claim is announced")
        .unwrap()
        .unwrap();
    assert_eq!(announced, "case-1");
    println!("claim to announcement: {:?}", asked.elapsed());

    match theirs_store
        .hold("case-1", &amira.identity, until)
        .await
        .unwrap()
    {
        Hold::HeldBy(other) => assert_eq!(other.holder, amira.identity),
        Hold::Held(_) => panic!("two desks held one case"),
    }
    // Renewed by its holder: same claim, later expiry.
    let later = until + chrono::Duration::minutes(5);
    let Hold::Held(renewed) = mine_store.hold("case-1", "", later).await.unwrap() else {
        panic!("the holder renews")
    };
    assert_eq!(renewed.claimed_at, mine.claimed_at);
    assert!(renewed.expires_at > mine.expires_at);
    // Only the holder lets it go.
    assert!(!theirs_store
        .release("case-1", &amira.identity)
        .await
        .unwrap());
    assert!(mine_store.release("case-1", "").await.unwrap());

    // A lapsed lease (the shortest the server gives is a second) goes to whoever asks next.
    let now = Utc::now();
    assert!(matches!(
        mine_store.hold("case-2", "", now).await.unwrap(),
        Hold::Held(_)
    ));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(matches!(
        theirs_store.hold("case-2", "", until).await.unwrap(),
        Hold::Held(c) if c.holder == youssef.identity
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn desks_copying_their_chains_at_once_make_one_valid_team_chain() {
    let server = common::Postgres::start();
    let team = server.team("shared");
    let lead = team.store(&team.named("lead", Role::TeamLead)).await;
    let dir = temp_dir("shared");

    let mut handles = Vec::new();
    for d in 0..4 {
        let local = local_desk(&dir, &format!("desk{d}")).await;
        let member = team.reviewer(&format!("reviewer{d}"));
        let team = team.store(&member).await;
        handles.push(tokio::spawn(async move {
            let origin = local.desk_id().await.unwrap();
            for n in 0..60 {
                local
                    .append_audit(&draft(&member.identity, "reveal", n))
                    .await
                    .unwrap();
                if n % 7 == 0 {
                    let done = team.mirrored(&origin).await.unwrap();
                    let page = local.audit_page(done, 500).await.unwrap();
                    team.mirror(&origin, &page).await.unwrap();
                }
            }
            let done = team.mirrored(&origin).await.unwrap();
            let page = local.audit_page(done, 500).await.unwrap();
            team.mirror(&origin, &page).await.unwrap();
            // The same entries again (an answer that was lost): nothing is copied twice.
            let all = local.audit_page(0, 500).await.unwrap();
            assert_eq!(team.mirror(&origin, &all).await.unwrap(), 0);
            assert_eq!(team.mirrored(&origin).await.unwrap(), 60);
            let local_report = audit::verify(&local, None).await.unwrap();
            assert!(local_report.ok && local_report.count == 60);
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let report = audit::verify(&lead, None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.count, 240, "every entry of every desk, once");

    // Each desk's entries keep their order on the team chain, each stamped with its member.
    let out_of_order = server.psql(
        "shared",
        "SELECT COUNT(*) FROM (SELECT origin_seq < LAG(origin_seq) OVER (PARTITION BY origin ORDER BY seq) AS back FROM audit) t WHERE back",
    );
    assert_eq!(out_of_order.trim(), "0");
    let stamped = server.psql(
        "shared",
        "SELECT COUNT(DISTINCT member) || ' ' || COUNT(*) FILTER (WHERE actor LIKE initcap(member) || ' <%') FROM audit",
    );
    assert_eq!(stamped.trim(), "4 240");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_desk_cut_off_from_the_team_store_catches_up_without_breaking_either_chain() {
    let server = common::Postgres::start();
    let team = server.team("outage");
    let amira = team.reviewer("amira");
    let store = team.store(&amira).await;
    let dir = temp_dir("outage");
    let local = local_desk(&dir, "desk").await;
    let origin = local.desk_id().await.unwrap();

    local
        .append_audit(&draft(&amira.identity, "reveal", 0))
        .await
        .unwrap();
    store
        .mirror(&origin, &local.audit_page(0, 10).await.unwrap())
        .await
        .unwrap();

    server.halt();
    for n in 1..=5 {
        local
            .append_audit(&draft(&amira.identity, "reveal", n))
            .await
            .unwrap();
    }
    let away = store.mirrored(&origin).await;
    assert!(
        matches!(away, Err(StoreError::Unreachable(_))),
        "a stopped server is unreachable, not a failure: {away:?}"
    );
    // Another desk kept the team chain moving meanwhile... once the server is back.
    server.resume();
    let youssef = team.reviewer("youssef");
    let other = local_desk(&dir, "other").await;
    other
        .append_audit(&draft(&youssef.identity, "reveal", 9))
        .await
        .unwrap();
    let other_id = other.desk_id().await.unwrap();
    team.store(&youssef)
        .await
        .mirror(&other_id, &other.audit_page(0, 10).await.unwrap())
        .await
        .unwrap();

    let done = store.mirrored(&origin).await.unwrap();
    assert_eq!(done, 1);
    let copied = store
        .mirror(&origin, &local.audit_page(done, 500).await.unwrap())
        .await
        .unwrap();
    assert_eq!(copied, 5, "nothing written while away is lost");
    let lead = team.store(&team.named("lead", Role::TeamLead)).await;
    let team_report = audit::verify(&lead, None).await.unwrap();
    assert!(team_report.ok && team_report.count == 7, "{team_report:?}");
    let local_report = audit::verify(&local, None).await.unwrap();
    assert!(
        local_report.ok && local_report.count == 6,
        "{local_report:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn presence_counts_todays_applied_decisions_from_the_team_chain() {
    let server = common::Postgres::start();
    let team = server.team("presence");
    let (amira, youssef) = (team.reviewer("amira"), team.reviewer("youssef"));
    let (mine, theirs) = (team.store(&amira).await, team.store(&youssef).await);
    // Who is present is the member the server knows, not what the desk says.
    mine.announce("desk-a", "Not Amira <x@dhmad.tn>", Some("case-7"))
        .await
        .unwrap();
    theirs.announce("desk-b", "", None).await.unwrap();
    let refused = theirs.announce("desk-a", "", None).await;
    assert!(refused.is_err(), "a member cannot speak for another's desk");
    let dir = temp_dir("presence");
    let local = local_desk(&dir, "desk-a").await;
    let origin = local.desk_id().await.unwrap();
    let now = Utc::now();
    let today = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    for (action, to) in [
        ("decline", "applied"),
        ("approve", "applied"),
        ("approve", "queued"),
    ] {
        local
            .append_audit(&AuditDraft {
                at: today.clone(),
                actor: amira.identity.clone(),
                action: action.into(),
                case_id: "case-7".into(),
                to_state: Some(to.into()),
                app_version: "test".into(),
                ..AuditDraft::default()
            })
            .await
            .unwrap();
    }
    mine.mirror(&origin, &local.audit_page(0, 10).await.unwrap())
        .await
        .unwrap();
    let day_start = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let desks = theirs
        .presence(now - chrono::Duration::hours(1), day_start)
        .await
        .unwrap();
    assert_eq!(desks.len(), 2);
    let amira_there = desks.iter().find(|p| p.reviewer == amira.identity).unwrap();
    assert_eq!(amira_there.case_id.as_deref(), Some("case-7"));
    assert_eq!(amira_there.decisions_today, 2);
    let youssef_there = desks
        .iter()
        .find(|p| p.reviewer == youssef.identity)
        .unwrap();
    assert_eq!(
        (
            youssef_there.case_id.as_deref(),
            youssef_there.decisions_today
        ),
        (None, 0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
