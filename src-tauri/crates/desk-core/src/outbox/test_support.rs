//! What the outbox's tests share: requests, draining and faults (the team store in memory is
//! `testing::FakeTeam`).

// What the rooms' tests use besides their room, so each needs one line.
pub(super) use chrono::Duration;

pub(super) use crate::model::action::{
    Action, ActionBody, ActionKind, ActionState, BlocklistRequest,
};
pub(super) use crate::model::case::{CaseStatus, Verdict};
pub(super) use crate::model::request::{AmlRequest, DecisionRequest};
pub(super) use crate::ports::{AuditLog, CaseSource, Clock, OutboxStore, SourceError};
pub(super) use crate::testing::{desk, item, FakeTeam, TestDesk, WriteFault};

pub(super) fn request(case: i64, verdict: Verdict, comment: Option<&str>) -> DecisionRequest {
    DecisionRequest {
        case_id: item(case).case_id,
        verdict,
        comment: comment.map(str::to_owned),
        notify: None,
        redo: vec![],
        reason_id: Some("doc_altered".into()),
    }
}

pub(super) async fn drain(d: &TestDesk) {
    for _ in 0..50 {
        let r = d.run_due().await.unwrap();
        match r.next_due {
            None => return,
            Some(t) => {
                let wait = t - d.clock.now();
                d.clock.advance(wait.max(Duration::milliseconds(1)));
            }
        }
    }
}

pub(super) fn fault(d: &TestDesk, f: WriteFault) {
    d.source.write_faults.lock().unwrap().push_back(f);
}

/// Submits with no undo window, drains, and returns the action as it ended.
pub(super) async fn decide_now(d: &TestDesk, r: DecisionRequest) -> Action {
    let s = d.submit_decision_within(r, Duration::zero()).await.unwrap();
    drain(d).await;
    d.store.action(&s.action.id).await.unwrap().unwrap()
}

pub(super) fn applied_count(d: &TestDesk, token: &str) -> usize {
    d.source
        .applied
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, c)| c.contains(token))
        .count()
}
