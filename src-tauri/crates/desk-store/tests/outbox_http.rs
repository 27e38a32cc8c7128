//! The outbox over real HTTP to the sandbox and a real SQLite file: faults the client cannot
//! see through (a lost answer after the write applied, a reset, a 429 burst with Retry-After,
//! a reviewer racing ours with the same verdict, answered by Didit both ways: 400 or a 200
//! no-op) end applied exactly once, or conflict, and the sandbox's ledger agrees.

#![allow(clippy::unwrap_used, clippy::panic)]

use chrono::Duration;
use desk_core::desk::{Desk, Reviewer};
use desk_core::model::case::Verdict;
use desk_core::model::request::DecisionRequest;
use desk_core::outbox::{ActionState, BlocklistRequest};
use desk_core::ports::{OutboxStore, SystemClock};
use desk_store::SqliteStore;
use didit::{DiditClient, DiditConfig};
use secrecy::SecretString;
use serde_json::{json, Value};

type HttpDesk = Desk<DiditClient, SqliteStore, SystemClock>;

async fn rig(tag: &str) -> (sandbox::RunningSandbox, HttpDesk, Vec<String>) {
    let sb = sandbox::start(sandbox::SandboxConfig {
        sessions: 12,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut config =
        DiditConfig::new(&sb.didit_url(), SecretString::from(sb.didit_key.clone())).unwrap();
    config.read_retries = 1;
    let dir = std::env::temp_dir().join(format!("desk-outbox-http-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut desk = Desk::new(
        DiditClient::new(config).unwrap(),
        SqliteStore::open(&dir.join("desk.sqlite")).await.unwrap(),
        SystemClock,
        Reviewer {
            name: "Amira Ben Salah".into(),
            email: "amira@dhmad.tn".into(),
        },
    );
    desk.policy.min_backoff = std::time::Duration::from_millis(20);
    desk.sync().await.unwrap();
    let ids = desk
        .queue()
        .await
        .unwrap()
        .0
        .iter()
        .map(|q| q.case_id.clone())
        .collect();
    (sb, desk, ids)
}

fn decision(case_id: &str, verdict: Verdict) -> DecisionRequest {
    DecisionRequest {
        case_id: case_id.to_owned(),
        verdict,
        comment: Some("checked — تم".into()),
        notify: None,
        redo: vec![],
        reason_id: Some("other".into()),
    }
}

async fn drain(desk: &HttpDesk) {
    for _ in 0..100 {
        match desk.run_due().await.unwrap().next_due {
            None => return,
            Some(due) => {
                let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait + std::time::Duration::from_millis(5)).await;
            }
        }
    }
    panic!("the outbox never drained");
}

fn effects_with(ledger: &[Value], token: &str) -> usize {
    ledger
        .iter()
        .filter(|e| {
            e["detail"]["comment"]
                .as_str()
                .is_some_and(|c| c.contains(token))
        })
        .count()
}

#[tokio::test]
async fn lost_answers_resets_and_rate_limits_end_applied_exactly_once() {
    let (sb, desk, ids) = rig("faults").await;
    let probe = sb.probe();
    let mut tokens = Vec::new();
    for (i, fault) in [
        json!({"lose_response_next": 1}),
        json!({"reset_next": 1}),
        json!({"throttle_next": 2, "retry_after_secs": 1}),
        json!({"fail_next": 2, "fail_status": 502}),
    ]
    .into_iter()
    .enumerate()
    {
        let action = desk
            .submit_decision_within(decision(&ids[i], Verdict::Approve), Duration::zero())
            .await
            .unwrap()
            .action;
        probe.control("faults", fault).await;
        drain(&desk).await;
        let end = desk.store.action(&action.id).await.unwrap().unwrap();
        assert_eq!(end.state, ActionState::Applied, "{end:?}");
        tokens.push(end.token);
    }
    let ledger = probe.ledger().await;
    for token in &tokens {
        assert_eq!(effects_with(&ledger, token), 1, "{token} in {ledger:?}");
    }
    let report = desk.verify_audit(None).await.unwrap();
    assert!(report.ok, "{report:?}");
}

#[tokio::test]
async fn a_racing_reviewer_with_the_same_verdict_is_a_conflict_whichever_way_didit_answers() {
    let (sb, desk, ids) = rig("race").await;
    let probe = sb.probe();
    for (i, same_status_ok) in [false, true].into_iter().enumerate() {
        probe
            .control(
                "faults",
                json!({"compete_next": 1, "same_status_ok": same_status_ok}),
            )
            .await;
        let action = desk
            .submit_decision_within(decision(&ids[i], Verdict::Approve), Duration::zero())
            .await
            .unwrap()
            .action;
        drain(&desk).await;
        let end = desk.store.action(&action.id).await.unwrap().unwrap();
        assert_eq!(
            end.state,
            ActionState::Conflict,
            "same_status_ok={same_status_ok}: {end:?}"
        );
        assert!(end.detail.unwrap().contains("racing.reviewer@dhmad.tn"));
        assert_eq!(effects_with(&probe.ledger().await, &end.token), 0);
    }
    // A different verdict lands on top of the racer's: applied, but flagged as decided twice.
    probe.control("faults", json!({"compete_next": 1})).await;
    let action = desk
        .submit_decision_within(decision(&ids[2], Verdict::Decline), Duration::zero())
        .await
        .unwrap()
        .action;
    drain(&desk).await;
    let end = desk.store.action(&action.id).await.unwrap().unwrap();
    assert_eq!(end.state, ActionState::NeedsAttention);
    assert!(end.detail.unwrap().starts_with("decided twice"));
}

#[tokio::test]
async fn blocklist_adds_are_reconciled_against_the_blocklist_after_a_lost_answer() {
    let (sb, desk, ids) = rig("blocklist").await;
    let probe = sb.probe();
    probe
        .control("faults", json!({"lose_response_next": 1}))
        .await;
    let action = desk
        .submit_blocklist(BlocklistRequest {
            case_id: ids[0].clone(),
            add: true,
            face: false,
            document: true,
            phone: false,
            email: true,
            reason_id: Some("fraud".into()),
            comment: None,
        })
        .await
        .unwrap();
    drain(&desk).await;
    let end = desk.store.action(&action.id).await.unwrap().unwrap();
    assert_eq!(end.state, ActionState::Applied, "{end:?}");
    let adds = probe
        .ledger()
        .await
        .iter()
        .filter(|e| e["effect"] == "blocklist-add")
        .count();
    assert_eq!(adds, 1);
}
