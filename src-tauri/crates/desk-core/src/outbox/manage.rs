//! What a person does with the outbox: lists it, undoes a decision inside its window, cancels
//! what waits or needs attention, retries what needs attention (which reconciles first).

use chrono::{DateTime, Utc};

use crate::desk::{Desk, DeskError};
use crate::model::action::{Action, ActionState};
use crate::ports::{CaseSource, Clock, Store};

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    pub(super) async fn load(&self, id: &str) -> Result<Action, DeskError> {
        self.store
            .action(id)
            .await?
            .ok_or_else(|| DeskError::NotAllowed(format!("there is no action {id:?}")))
    }

    /// Takes back a queued action that has not been sent yet.
    pub async fn undo(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        if action.state != ActionState::Queued || action.attempts > 0 || action.unknown_outcome {
            return Err(DeskError::NotAllowed(format!(
                "too late to undo: the action is {} and has been sent",
                action.state.as_str()
            )));
        }
        self.cancel_as(&action, "undo", "undone").await
    }

    /// Ends `action` as cancelled, audited as `verb` ("undo", "cancel") with outcome `done`.
    pub(super) async fn cancel_as(
        &self,
        action: &Action,
        verb: &str,
        done: &str,
    ) -> Result<Action, DeskError> {
        let next = Action {
            state: ActionState::Cancelled,
            updated_at: self.clock.now(),
            detail: Some(format!("{done} by the reviewer")),
            ..action.clone()
        };
        self.move_to(action, action.state, next, Some(verb), Some(done.into()))
            .await
    }

    /// Cancels an action that waits or needs attention. One that may have been applied must be
    /// retried (which reconciles) instead: cancelling it would hide what happened.
    pub async fn cancel(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        let allowed = matches!(
            action.state,
            ActionState::Queued | ActionState::NeedsAttention
        ) && !action.unknown_outcome;
        if !allowed {
            return Err(DeskError::NotAllowed(format!(
                "an action that is {}{} cannot be cancelled",
                action.state.as_str(),
                if action.unknown_outcome {
                    " and may already be applied"
                } else {
                    ""
                }
            )));
        }
        self.cancel_as(&action, "cancel", "cancelled").await
    }

    /// Sends an action that needs attention again, after reconciling (it may have landed).
    pub async fn retry(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        if action.state != ActionState::NeedsAttention {
            return Err(DeskError::NotAllowed(format!(
                "only an action that needs attention can be retried; this one is {}",
                action.state.as_str()
            )));
        }
        let now = self.clock.now();
        let next = Action {
            state: ActionState::Queued,
            attempts: 0,
            unknown_outcome: true,
            waiting_offline: false,
            due_at: now,
            updated_at: now,
            ..action.clone()
        };
        self.move_to(
            &action,
            ActionState::NeedsAttention,
            next,
            Some("retry"),
            None,
        )
        .await
    }

    /// Every action, newest last.
    pub async fn outbox(&self) -> Result<Vec<Action>, DeskError> {
        Ok(self.store.actions(false).await?)
    }

    /// Open and needs-attention counts, and since when the provider has not answered.
    pub async fn outbox_status(&self) -> Result<OutboxStatus, DeskError> {
        let count = |state| self.store.count_actions(state);
        Ok(OutboxStatus {
            pending: count(ActionState::Queued).await? + count(ActionState::Sending).await?,
            needs_attention: count(ActionState::NeedsAttention).await?,
            offline_since: self.offline_since(),
        })
    }
}

/// For the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStatus {
    pub pending: u32,
    pub needs_attention: u32,
    pub offline_since: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::test_support::*;
    #[tokio::test]
    async fn undo_inside_the_window_sends_nothing_and_is_audited() {
        let d = desk(2);
        let s = d
            .submit_decision_within(
                request(1, Verdict::Decline, Some("x")),
                Duration::seconds(8),
            )
            .await
            .unwrap();
        let undone = d.undo(&s.action.id).await.unwrap();
        assert_eq!(undone.state, ActionState::Cancelled);
        d.clock.advance(Duration::seconds(30));
        drain(&d).await;
        assert!(d.source.applied.lock().unwrap().is_empty());
        let trail = d.store.case_audit(&item(1).case_id).await.unwrap();
        assert_eq!(trail.last().unwrap().draft.action, "undo");
        // A new decision is allowed once the first was undone.
        d.submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn repeated_server_errors_need_attention_and_a_retry_reconciles() {
        let mut d = desk(1);
        d.policy.max_attempts = 3;
        for _ in 0..3 {
            fault(
                &d,
                WriteFault::Fail(SourceError::OutcomeUnknown("HTTP 502".into())),
            );
        }
        let a = decide_now(&d, request(1, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::NeedsAttention);
        assert!(a
            .detail
            .as_deref()
            .unwrap()
            .contains("gave up after 3 attempts"));
        assert!(
            d.cancel(&a.id).await.is_err(),
            "it may have been applied: retry, not cancel"
        );
        d.retry(&a.id).await.unwrap();
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Applied);
        assert_eq!(applied_count(&d, &a.token), 1);
        let kinds: Vec<String> = d
            .store
            .case_audit(&item(1).case_id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.draft.action)
            .collect();
        assert!(kinds.contains(&"retry".to_owned()));
    }
}
