//! What the outbox's tests share: requests, draining, faults, and a team store in memory.

// What the rooms' tests use besides their room, so each needs one line.
pub(super) use chrono::{DateTime, Duration, Utc};

pub(super) use crate::claims::{ClaimStore, Hold};
pub(super) use crate::four_eyes::{FourEyes, SecondLook};
pub(super) use crate::model::action::{
    Action, ActionBody, ActionKind, ActionState, BlocklistRequest, FourEyesRule,
};
pub(super) use crate::model::case::{CaseStatus, Verdict};
pub(super) use crate::model::request::{AmlRequest, DecisionRequest};
pub(super) use crate::ports::{CaseSource, Clock, Journal, SourceError, StoreError};
pub(super) use crate::testing::{desk, item, TestDesk, WriteFault};

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
    let s = d.submit_decision(r, Duration::zero()).await.unwrap();
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

/// A team store in memory: who holds which case, the four-eyes rules and questions; can
/// be made unreachable.
#[derive(Default)]
pub(super) struct FakeTeam {
    pub(super) holders: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub(super) away: std::sync::Mutex<bool>,
    pub(super) rules: std::sync::Mutex<Vec<FourEyesRule>>,
    pub(super) looks: std::sync::Mutex<Vec<SecondLook>>,
}

impl FourEyes for FakeTeam {
    async fn policy(&self) -> Result<Vec<FourEyesRule>, StoreError> {
        Ok(self.rules.lock().unwrap().clone())
    }
    async fn set_policy(&self, rules: &[FourEyesRule]) -> Result<(), StoreError> {
        *self.rules.lock().unwrap() = rules.to_vec();
        Ok(())
    }
    async fn ask(&self, look: &SecondLook) -> Result<(), StoreError> {
        let mut looks = self.looks.lock().unwrap();
        if !looks.iter().any(|l| l.action_id == look.action_id) {
            looks.push(look.clone());
        }
        Ok(())
    }
    async fn answer_of(
        &self,
        action_id: &str,
    ) -> Result<Option<crate::four_eyes::Answer>, StoreError> {
        let looks = self.looks.lock().unwrap();
        Ok(looks
            .iter()
            .find(|l| l.action_id == action_id)
            .and_then(|l| l.answer.clone()))
    }
    async fn answer(
        &self,
        action_id: &str,
        answer: &crate::four_eyes::Answer,
    ) -> Result<Result<SecondLook, crate::four_eyes::AnswerRefused>, StoreError> {
        use crate::four_eyes::AnswerRefused as R;
        let mut looks = self.looks.lock().unwrap();
        let Some(look) = looks.iter_mut().find(|l| l.action_id == action_id) else {
            return Ok(Err(R::Unknown(action_id.into())));
        };
        if look.requested_by == answer.by {
            return Ok(Err(R::OwnAction));
        }
        if let Some(a) = &look.answer {
            return Ok(Err(R::Answered(a.by.clone())));
        }
        look.answer = Some(answer.clone());
        Ok(Ok(look.clone()))
    }
    async fn pending(&self) -> Result<Vec<SecondLook>, StoreError> {
        let looks = self.looks.lock().unwrap();
        Ok(looks
            .iter()
            .filter(|l| l.answer.is_none())
            .cloned()
            .collect())
    }
}

impl ClaimStore for FakeTeam {
    async fn claim_first(
        &self,
        _: &[String],
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<crate::claims::Claim>, StoreError> {
        Ok(None)
    }
    async fn release(&self, case_id: &str, holder: &str) -> Result<bool, StoreError> {
        let mut h = self.holders.lock().unwrap();
        if h.get(case_id).map(String::as_str) == Some(holder) {
            h.remove(case_id);
            return Ok(true);
        }
        Ok(false)
    }
    async fn hold(
        &self,
        case_id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> Result<Hold, StoreError> {
        if *self.away.lock().unwrap() {
            return Err(StoreError::Unreachable("connection refused".into()));
        }
        let mut h = self.holders.lock().unwrap();
        let who = h
            .entry(case_id.into())
            .or_insert_with(|| holder.into())
            .clone();
        let claim = crate::claims::Claim {
            case_id: case_id.into(),
            holder: who.clone(),
            claimed_at: until.to_rfc3339(),
            expires_at: until.to_rfc3339(),
        };
        Ok(if who == holder {
            Hold::Held(claim)
        } else {
            Hold::HeldBy(claim)
        })
    }
    async fn release_any(&self, _: &str) -> Result<Option<crate::claims::Claim>, StoreError> {
        Ok(None)
    }
    async fn claims(&self) -> Result<Vec<crate::claims::Claim>, StoreError> {
        Ok(Vec::new())
    }
}
