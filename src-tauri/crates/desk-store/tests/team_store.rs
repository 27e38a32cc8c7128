//! The team store on a real PostgreSQL server: holding a case, the claim announcements other
//! desks listen to, presence, and desks copying their own audit chains onto the team's one chain
//! — at the same time, and across a server outage.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use desk_core::audit::{self, AuditDraft};
use desk_core::claims::{ClaimStore, Hold};
use desk_core::ports::{AuditLog, StoreError};
use desk_core::team::TeamLog;
use desk_store::{PgStore, SqliteStore};
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
    let url = server.database("hold");
    let team = PgStore::connect(&url).await.unwrap();
    let watcher = PgStore::connect(&url).await.unwrap();
    let mut changes = watcher.claim_changes().await.unwrap();

    let until = Utc::now() + chrono::Duration::minutes(10);
    let asked = Instant::now();
    let Hold::Held(mine) = team.hold("case-1", "Amira", until).await.unwrap() else {
        panic!("a free case is held")
    };
    let announced = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("the claim is announced")
        .unwrap()
        .unwrap();
    assert_eq!(announced, "case-1");
    println!("claim to announcement: {:?}", asked.elapsed());

    match team.hold("case-1", "Youssef", until).await.unwrap() {
        Hold::HeldBy(other) => assert_eq!(other.holder, "Amira"),
        Hold::Held(_) => panic!("two desks held one case"),
    }
    // Renewed by its holder: same claim, later expiry.
    let later = until + chrono::Duration::minutes(5);
    let Hold::Held(renewed) = team.hold("case-1", "Amira", later).await.unwrap() else {
        panic!("the holder renews")
    };
    assert_eq!(renewed.claimed_at, mine.claimed_at);
    assert!(renewed.expires_at > mine.expires_at);

    // A lapsed lease goes to whoever asks next.
    let past = Utc::now() - chrono::Duration::seconds(1);
    assert!(team.release("case-1", "Amira").await.unwrap());
    assert!(matches!(
        team.hold("case-2", "Amira", past).await.unwrap(),
        Hold::Held(_)
    ));
    assert!(matches!(
        team.hold("case-2", "Youssef", until).await.unwrap(),
        Hold::Held(c) if c.holder == "Youssef"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn desks_copying_their_chains_at_once_make_one_valid_team_chain() {
    let server = common::Postgres::start();
    let url = server.database("shared");
    let team = PgStore::connect(&url).await.unwrap();
    let dir = temp_dir("shared");

    let mut handles = Vec::new();
    for d in 0..4 {
        let local = local_desk(&dir, &format!("desk{d}")).await;
        let team = team.clone();
        handles.push(tokio::spawn(async move {
            let origin = local.desk_id().await.unwrap();
            let actor = format!("Reviewer {d}");
            for n in 0..60 {
                local
                    .append_audit(&draft(&actor, "reveal", n))
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
    let report = audit::verify(&team, None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.count, 240, "every entry of every desk, once");

    // Each desk's entries keep their order on the team chain.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let out_of_order: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT origin_seq < LAG(origin_seq) OVER (PARTITION BY origin ORDER BY seq) AS back FROM audit) t WHERE back",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(out_of_order, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_desk_cut_off_from_the_team_store_catches_up_without_breaking_either_chain() {
    let server = common::Postgres::start();
    let url = server.database("outage");
    let team = PgStore::connect(&url).await.unwrap();
    let dir = temp_dir("outage");
    let local = local_desk(&dir, "desk").await;
    let origin = local.desk_id().await.unwrap();

    local
        .append_audit(&draft("Amira", "reveal", 0))
        .await
        .unwrap();
    team.mirror(&origin, &local.audit_page(0, 10).await.unwrap())
        .await
        .unwrap();

    server.halt();
    for n in 1..=5 {
        local
            .append_audit(&draft("Amira", "reveal", n))
            .await
            .unwrap();
    }
    let away = team.mirrored(&origin).await;
    assert!(
        matches!(away, Err(StoreError::Unreachable(_))),
        "a stopped server is unreachable, not a failure: {away:?}"
    );
    // Another desk kept the team chain moving meanwhile... once the server is back.
    server.resume();
    let other = local_desk(&dir, "other").await;
    other
        .append_audit(&draft("Youssef", "reveal", 9))
        .await
        .unwrap();
    let other_id = other.desk_id().await.unwrap();
    team.mirror(&other_id, &other.audit_page(0, 10).await.unwrap())
        .await
        .unwrap();

    let done = team.mirrored(&origin).await.unwrap();
    assert_eq!(done, 1);
    let copied = team
        .mirror(&origin, &local.audit_page(done, 500).await.unwrap())
        .await
        .unwrap();
    assert_eq!(copied, 5, "nothing written while away is lost");
    let team_report = audit::verify(&team, None).await.unwrap();
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
    let team = PgStore::connect(&server.database("presence"))
        .await
        .unwrap();
    team.announce("desk-a", "Amira <amira@dhmad.tn>", Some("case-7"))
        .await
        .unwrap();
    team.announce("desk-b", "Youssef <youssef@dhmad.tn>", None)
        .await
        .unwrap();
    let now = Utc::now();
    let today = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    for (action, to) in [
        ("decline", "applied"),
        ("approve", "applied"),
        ("approve", "queued"),
    ] {
        team.append_audit(&AuditDraft {
            at: today.clone(),
            actor: "Amira <amira@dhmad.tn>".into(),
            action: action.into(),
            case_id: "case-7".into(),
            to_state: Some(to.into()),
            app_version: "test".into(),
            ..AuditDraft::default()
        })
        .await
        .unwrap();
    }
    let day_start = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let desks = team
        .presence(now - chrono::Duration::hours(1), day_start)
        .await
        .unwrap();
    assert_eq!(desks.len(), 2);
    let amira = desks
        .iter()
        .find(|p| p.reviewer.starts_with("Amira"))
        .unwrap();
    assert_eq!(amira.case_id.as_deref(), Some("case-7"));
    assert_eq!(amira.decisions_today, 2);
    let youssef = desks
        .iter()
        .find(|p| p.reviewer.starts_with("Youssef"))
        .unwrap();
    assert_eq!(
        (youssef.case_id.as_deref(), youssef.decisions_today),
        (None, 0)
    );
}
