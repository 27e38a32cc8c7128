//! Random interleavings of submit / undo / cancel / retry / faults / competing reviewers /
//! crashes (before and after the send) / time; then everything drains. Every action ends,
//! none is applied twice, none overwrites another reviewer's decision unless flagged, and
//! the audit chain verifies.

use super::test_support::*;
use crate::ports::SourceError;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Submit(i64, u8),
    Undo(usize),
    Cancel(usize),
    Retry(usize),
    Fault(u8),
    Compete(i64),
    CrashBeforeSend(usize),
    CrashAfterSend(usize),
    Advance(u16),
    Run,
    Offline(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1..6i64, 0..3u8).prop_map(|(c, v)| Op::Submit(c, v)),
        1 => (0..10usize).prop_map(Op::Undo),
        1 => (0..10usize).prop_map(Op::Cancel),
        1 => (0..10usize).prop_map(Op::Retry),
        2 => (0..5u8).prop_map(Op::Fault),
        1 => (1..6i64).prop_map(Op::Compete),
        1 => (0..10usize).prop_map(Op::CrashBeforeSend),
        1 => (0..10usize).prop_map(Op::CrashAfterSend),
        2 => (0..20u16).prop_map(Op::Advance),
        3 => Just(Op::Run),
        1 => any::<bool>().prop_map(Op::Offline),
    ]
}

async fn play(ops: Vec<Op>) {
    let mut d = desk(5);
    d.policy.max_attempts = 4;
    let mut ids: Vec<String> = Vec::new();
    let pick = |ids: &Vec<String>, i: usize| ids.get(i % ids.len().max(1)).cloned();
    for op in ops {
        match op {
            Op::Submit(c, v) => {
                let verdict = [Verdict::Approve, Verdict::Decline, Verdict::Resubmit][v as usize];
                if let Ok(s) = d
                    .submit_decision_within(request(c, verdict, Some("why")), Duration::seconds(3))
                    .await
                {
                    ids.push(s.action.id);
                }
            }
            Op::Undo(i) => {
                if let Some(id) = pick(&ids, i) {
                    let _ = d.undo(&id).await;
                }
            }
            Op::Cancel(i) => {
                if let Some(id) = pick(&ids, i) {
                    let _ = d.cancel(&id).await;
                }
            }
            Op::Retry(i) => {
                if let Some(id) = pick(&ids, i) {
                    let _ = d.retry(&id).await;
                }
            }
            Op::Fault(k) => fault(
                &d,
                match k {
                    0 => WriteFault::LoseAnswer,
                    1 => WriteFault::Fail(SourceError::OutcomeUnknown("timeout".into())),
                    2 => WriteFault::Fail(SourceError::RateLimited(Some(
                        std::time::Duration::from_secs(2),
                    ))),
                    3 => WriteFault::Compete(CaseStatus::Approved),
                    _ => WriteFault::Fail(SourceError::Unavailable("reset".into())),
                },
            ),
            Op::Compete(c) => {
                if d.source.status(&item(c).case_id) == Some(CaseStatus::InReview) {
                    d.source.compete(&item(c).case_id, CaseStatus::Declined);
                }
            }
            Op::CrashBeforeSend(i) | Op::CrashAfterSend(i) => {
                // The worker marked it Sending, then the process died (before or after
                // the provider applied it).
                let Some(id) = pick(&ids, i) else { continue };
                let a = d.store.action(&id).await.unwrap().unwrap();
                if a.state != ActionState::Queued || a.due_at > d.clock.now() {
                    continue;
                }
                let sending = Action {
                    state: ActionState::Sending,
                    attempts: a.attempts + 1,
                    ..a.clone()
                };
                let draft = d.transition_draft(
                    &sending,
                    Some(ActionState::Queued),
                    ActionState::Sending,
                    None,
                );
                d.store
                    .transition(ActionState::Queued, &sending, &draft)
                    .await
                    .unwrap();
                if matches!(op, Op::CrashAfterSend(_)) {
                    if let ActionBody::Decision(r) = &a.body {
                        if d.source.status(&a.case_id) == Some(CaseStatus::InReview) {
                            let _ = d.source.decide(r).await;
                        }
                    }
                }
            }
            Op::Advance(s) => d.clock.advance(Duration::seconds(i64::from(s))),
            Op::Run => {
                d.run_due().await.unwrap();
            }
            Op::Offline(o) => *d.source.offline.lock().unwrap() = o,
        }
    }
    *d.source.offline.lock().unwrap() = false;
    d.source.write_faults.lock().unwrap().clear();
    d.clock.advance(Duration::seconds(10));
    drain(&d).await;
    for a in d.outbox().await.unwrap() {
        assert!(!a.state.is_open(), "{a:?} never ended");
        let n = applied_count(&d, &a.token);
        assert!(n <= 1, "{a:?} applied {n} times");
        match a.state {
            ActionState::Applied => assert_eq!(n, 1, "{a:?}"),
            ActionState::Cancelled | ActionState::Rejected | ActionState::Conflict => {
                assert_eq!(n, 0, "{a:?}")
            }
            _ => {}
        }
        let ours = d
            .source
            .reviews(&a.case_id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.comment.as_deref().is_some_and(|c| c.contains(&a.token)));
        if let Some(ours) = ours {
            let overwrote = ours.previous_status != Some(CaseStatus::InReview);
            assert!(
                !overwrote || a.state == ActionState::NeedsAttention,
                "{a:?} overwrote silently"
            );
        }
        let entries = d
            .store
            .case_audit(&a.case_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.draft.action_id.as_deref() == Some(a.id.as_str()))
            .count();
        assert!(entries >= 2, "{a:?}: every transition is audited");
    }
    assert!(d.verify_audit(None).await.unwrap().ok);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn every_action_ends_once_and_visibly(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(play(ops));
    }
}
