//! Writing down: every move of an action from one state to the next is one store transition
//! with its audit entry, and an attempt's outcome becomes the action's next state.

use chrono::Duration;

use super::Outcome;
use crate::desk::{Desk, DeskError};
use crate::model::action::{Action, ActionState};
use crate::ports::StoreError;
use crate::ports::{CaseSource, Change, Clock, Store};

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    pub(super) fn transition_draft(
        &self,
        action: &Action,
        from: Option<ActionState>,
        to: ActionState,
        outcome: Option<String>,
    ) -> crate::audit::AuditDraft {
        let mut d = self.draft(action.kind.as_str(), &action.case_id);
        d.action_id = Some(action.id.clone());
        d.from_state = from.map(|s| s.as_str().to_owned());
        d.to_state = Some(to.as_str().to_owned());
        d.reason_id = action.reason_id.clone();
        d.comment = action.comment.clone();
        d.outcome = outcome;
        d.token = Some(action.token.clone());
        d
    }

    /// Moves `action` (now in `from`) to `to`, audited; `Stale` becomes a clear refusal.
    pub(super) async fn move_to(
        &self,
        action: &Action,
        from: ActionState,
        next: Action,
        audit_action: Option<&str>,
        outcome: Option<String>,
    ) -> Result<Action, DeskError> {
        let mut draft = self.transition_draft(&next, Some(from), next.state, outcome);
        if let Some(name) = audit_action {
            draft.action = name.to_owned();
        }
        match self.store.transition(from, &next, &draft).await {
            Ok(_) => {
                self.changed(Change::Outbox);
                Ok(next)
            }
            Err(StoreError::Stale(_)) => Err(DeskError::NotAllowed(format!(
                "action {} changed meanwhile; it is no longer {}",
                action.id,
                from.as_str()
            ))),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn record(
        &self,
        action: Action,
        outcome: Outcome,
    ) -> Result<Option<ActionState>, DeskError> {
        let now = self.clock.now();
        let (next, text) = match outcome {
            Outcome::DecidedTwice(detail) => (
                Action {
                    state: ActionState::NeedsAttention,
                    unknown_outcome: true,
                    updated_at: now,
                    detail: Some(detail.clone()),
                    ..action.clone()
                },
                detail,
            ),
            Outcome::End(state, detail) => (
                Action {
                    state,
                    updated_at: now,
                    detail: Some(detail.clone()),
                    ..action.clone()
                },
                detail,
            ),
            Outcome::Again {
                delay,
                maybe_applied,
                why,
                unreachable,
            } => {
                let unknown = action.unknown_outcome || maybe_applied;
                let attempts = if unreachable {
                    action.attempts.saturating_sub(1)
                } else {
                    action.attempts
                };
                if attempts >= self.policy.max_attempts {
                    let detail = format!("gave up after {} attempts: {why}", action.attempts);
                    (
                        Action {
                            state: ActionState::NeedsAttention,
                            unknown_outcome: unknown,
                            updated_at: now,
                            detail: Some(detail.clone()),
                            ..action.clone()
                        },
                        detail,
                    )
                } else {
                    let mut wait = delay.unwrap_or_default().max(self.backoff(action.attempts));
                    if unreachable {
                        // The longer the outage, the calmer the polling (up to the cap).
                        let out_for = self
                            .offline_since()
                            .map(|since| (now - since).to_std().unwrap_or_default() / 2)
                            .unwrap_or_default();
                        wait = wait.max(out_for.min(self.policy.max_backoff));
                    }
                    let wait = Duration::from_std(wait).unwrap_or(Duration::seconds(60));
                    let detail = format!("{why}; next attempt in {} s", wait.num_seconds().max(1));
                    (
                        Action {
                            state: ActionState::Queued,
                            attempts,
                            waiting_offline: unreachable,
                            unknown_outcome: unknown,
                            due_at: now + wait,
                            updated_at: now,
                            detail: Some(detail.clone()),
                            ..action.clone()
                        },
                        detail,
                    )
                }
            }
        };
        let end = (!next.state.is_open()).then_some(next.state);
        if matches!(next.state, ActionState::Conflict) {
            self.store.remove_from_queue(&next.case_id).await?;
            self.changed(Change::Queue);
        }
        self.move_to(&action, ActionState::Sending, next, None, Some(text))
            .await?;
        Ok(end)
    }
}
