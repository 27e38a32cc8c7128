//! A team store in memory: claims, the four-eyes rules and questions; can be made unreachable.

use chrono::{DateTime, Utc};

use crate::claims::{Claim, ClaimStore, Hold};
use crate::four_eyes::{Answer, AnswerRefused, FourEyes, FourEyesRule, SecondLook};
use crate::ports::*;

/// A team store in memory: who holds which case, the four-eyes rules and questions; can
/// be made unreachable.
#[derive(Default)]
pub struct FakeTeam {
    pub holders: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub away: std::sync::Mutex<bool>,
    pub rules: std::sync::Mutex<Vec<FourEyesRule>>,
    pub looks: std::sync::Mutex<Vec<SecondLook>>,
}

impl FourEyes for FakeTeam {
    async fn policy(&self) -> Result<Vec<FourEyesRule>, StoreError> {
        Ok(self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    async fn set_policy(&self, rules: &[FourEyesRule]) -> Result<(), StoreError> {
        *self.rules.lock().unwrap_or_else(|e| e.into_inner()) = rules.to_vec();
        Ok(())
    }
    async fn ask(&self, look: &SecondLook) -> Result<(), StoreError> {
        let mut looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        if !looks.iter().any(|l| l.action_id == look.action_id) {
            looks.push(look.clone());
        }
        Ok(())
    }
    async fn answer_of(&self, action_id: &str) -> Result<Option<Answer>, StoreError> {
        let looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        Ok(looks
            .iter()
            .find(|l| l.action_id == action_id)
            .and_then(|l| l.answer.clone()))
    }
    async fn answer(
        &self,
        action_id: &str,
        answer: &Answer,
    ) -> Result<Result<SecondLook, AnswerRefused>, StoreError> {
        use AnswerRefused as R;
        let mut looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
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
        let looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
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
    ) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn release(&self, case_id: &str, holder: &str) -> Result<bool, StoreError> {
        let mut h = self.holders.lock().unwrap_or_else(|e| e.into_inner());
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
        if *self.away.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(StoreError::Unreachable("connection refused".into()));
        }
        let mut h = self.holders.lock().unwrap_or_else(|e| e.into_inner());
        let who = h
            .entry(case_id.into())
            .or_insert_with(|| holder.into())
            .clone();
        let claim = Claim {
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
    async fn release_any(&self, _: &str) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn claims(&self) -> Result<Vec<Claim>, StoreError> {
        Ok(Vec::new())
    }
}
