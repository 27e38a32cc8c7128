//! Four-eyes: a team may ask that chosen outcomes (a decline, an approval despite AML hits, a
//! blocklist entry) wait in the outbox until a second reviewer confirms them. The outbox asks,
//! the team store keeps the question, another desk answers; nothing is sent before a yes, a no
//! ends the action as refused, and every step is audited on both desks.

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::desk::{Desk, DeskError};
pub use crate::model::action::FourEyesRule;
use crate::model::action::{Action, ActionKind};
use crate::ports::{CaseSource, Clock, Store, StoreError};

/// A second reviewer's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// `Name <email>` of the second reviewer.
    pub by: String,
    pub confirmed: bool,
    pub note: Option<String>,
    pub at: String,
}

/// A question for a second reviewer, as the team store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SecondLook {
    pub action_id: String,
    pub case_id: String,
    pub kind: ActionKind,
    pub rule: FourEyesRule,
    pub requested_by: String,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
    pub requested_at: String,
    pub answer: Option<Answer>,
}

/// Why an answer was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerRefused {
    #[error("no action {0} waits for a second look")]
    Unknown(String),
    #[error("the reviewer who asked cannot confirm their own action")]
    OwnAction,
    #[error("already answered by {0}")]
    Answered(String),
}

/// The team store's side of four-eyes.
pub trait FourEyes: Send + Sync {
    /// The team's rules (empty: no four-eyes).
    fn policy(&self) -> impl Future<Output = Result<Vec<FourEyesRule>, StoreError>> + Send;
    fn set_policy(
        &self,
        rules: &[FourEyesRule],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records the question (a second ask for the same action changes nothing).
    fn ask(&self, look: &SecondLook) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The answer to one action's question, if given.
    fn answer_of(
        &self,
        action_id: &str,
    ) -> impl Future<Output = Result<Option<Answer>, StoreError>> + Send;
    /// Answers a question once, never by its asker (checked in the store, atomically).
    fn answer(
        &self,
        action_id: &str,
        answer: &Answer,
    ) -> impl Future<Output = Result<Result<SecondLook, AnswerRefused>, StoreError>> + Send;
    /// Questions not answered yet, oldest first.
    fn pending(&self) -> impl Future<Output = Result<Vec<SecondLook>, StoreError>> + Send;
}

impl FourEyes for crate::claims::NoTeam {
    async fn policy(&self) -> Result<Vec<FourEyesRule>, StoreError> {
        Ok(Vec::new())
    }
    async fn set_policy(&self, _: &[FourEyesRule]) -> Result<(), StoreError> {
        Ok(())
    }
    async fn ask(&self, _: &SecondLook) -> Result<(), StoreError> {
        Ok(())
    }
    async fn answer_of(&self, _: &str) -> Result<Option<Answer>, StoreError> {
        Ok(None)
    }
    async fn answer(
        &self,
        action_id: &str,
        _: &Answer,
    ) -> Result<Result<SecondLook, AnswerRefused>, StoreError> {
        Ok(Err(AnswerRefused::Unknown(action_id.to_owned())))
    }
    async fn pending(&self) -> Result<Vec<SecondLook>, StoreError> {
        Ok(Vec::new())
    }
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// The first of `rules` that `action` falls under (AML hits as the cached summary has them).
    pub(crate) async fn rule_for(
        &self,
        rules: &[FourEyesRule],
        action: &Action,
    ) -> Result<Option<FourEyesRule>, DeskError> {
        for rule in rules {
            let applies = match rule {
                FourEyesRule::Decline => action.kind == ActionKind::Decline,
                FourEyesRule::BlocklistAdd => action.kind == ActionKind::BlocklistAdd,
                FourEyesRule::ApproveWithAmlHit => {
                    action.kind == ActionKind::Approve
                        && self
                            .store
                            .summary(&action.case_id)
                            .await?
                            .is_some_and(|(s, _)| !s.aml_hits.is_empty())
                }
            };
            if applies {
                return Ok(Some(*rule));
            }
        }
        Ok(None)
    }

    /// A lead sets the team's four-eyes rules (the team store refuses anyone else too).
    pub async fn set_four_eyes_policy(
        &self,
        team: &impl FourEyes,
        rules: &[FourEyesRule],
    ) -> Result<(), DeskError> {
        self.may(crate::standing::Act::SetFourEyes)?;
        team.set_policy(rules).await?;
        self.changed(crate::ports::Change::Team);
        Ok(())
    }

    /// A second reviewer confirms (or refuses) another reviewer's waiting action; audited here.
    pub async fn answer_second_look(
        &self,
        team: &impl FourEyes,
        action_id: &str,
        confirmed: bool,
        note: Option<&str>,
    ) -> Result<SecondLook, DeskError> {
        let note = crate::model::request::optional_comment(note)?;
        if !confirmed && note.is_none() {
            return Err(DeskError::NotAllowed(
                "say why the action is refused: the reviewer who asked reads it".into(),
            ));
        }
        let answer = Answer {
            by: self.reviewer.identity(),
            confirmed,
            note: note.clone(),
            at: self.stamp_now(),
        };
        let look = team
            .answer(action_id, &answer)
            .await?
            .map_err(|e| DeskError::NotAllowed(e.to_string()))?;
        let mut draft = self.draft(
            if confirmed {
                "second_look_confirmed"
            } else {
                "second_look_refused"
            },
            &look.case_id,
        );
        draft.action_id = Some(look.action_id.clone());
        draft.comment = note;
        draft.outcome = Some(format!(
            "{} of {} by {}",
            if confirmed { "confirmed" } else { "refused" },
            look.kind.as_str(),
            look.requested_by
        ));
        self.store.append_audit(&draft).await?;
        self.changed(crate::ports::Change::Team);
        Ok(look)
    }
}
