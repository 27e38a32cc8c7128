//! Submitting: a decision, a blocklist change or an AML review is validated, refused by name
//! when its provider lacks it, stamped with the reviewer and a fresh token, and committed with
//! its audit entry ("queued").

use chrono::Duration;

use super::{fail_point, Ask};
use crate::desk::{Desk, DeskError};
use crate::model::action::{Action, ActionBody, ActionKind, ActionState, BlocklistRequest};
use crate::model::case::Verdict;
use crate::model::request::{validate_case_id, ActionError, AmlRequest, DecisionRequest};
use crate::ports::StoreError;
use crate::ports::{CaseSource, Change, Clock, Store};

/// A submitted action and the case to open next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub action: Action,
    pub next_case_id: Option<String>,
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// What a provider lacks is refused before it is queued, by name.
    pub(super) fn lacks(
        &self,
        case_id: &str,
        has: impl Fn(&crate::provider::Capabilities) -> bool,
        what: &str,
    ) -> Result<(), DeskError> {
        let provider = self.source.provider_of(case_id);
        if has(&self.source.capabilities_of(case_id)) {
            Ok(())
        } else {
            Err(DeskError::NotAllowed(format!(
                "{} has no {what}: this case is a {} verification",
                provider.name(),
                provider.name()
            )))
        }
    }

    /// A decision's extras a provider cannot carry, and the notes it requires.
    pub(super) fn allows_decision(&self, request: &DecisionRequest) -> Result<(), DeskError> {
        let provider = self.source.provider_of(&request.case_id);
        let caps = self.source.capabilities_of(&request.case_id);
        if let Some(why) = caps
            .redo_refusal(provider)
            .filter(|_| !request.redo.is_empty())
        {
            return Err(DeskError::NotAllowed(why));
        }
        if !caps.notify_email && request.notify.is_some() {
            return Err(DeskError::NotAllowed(format!(
                "{} sends no notification email from the desk",
                provider.name()
            )));
        }
        let has_comment = request
            .comment
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if caps.notes_required && !has_comment && request.reason_id.is_none() {
            return Err(DeskError::NotAllowed(format!(
                "{} keeps review notes with every decision: give a reason or a comment",
                provider.name()
            )));
        }
        Ok(())
    }

    pub(super) fn new_action(&self, ask: Ask, token: String, delay: Duration) -> Action {
        let Ask {
            case_id,
            kind,
            body,
            reason_id,
            comment,
        } = ask;
        let now = self.clock.now();
        Action {
            id: self.ids.action_id(),
            token,
            case_id,
            kind,
            body,
            reason_id,
            comment,
            actor: self.reviewer.identity(),
            state: ActionState::Queued,
            attempts: 0,
            unknown_outcome: false,
            due_at: now + delay,
            created_at: now,
            updated_at: now,
            detail: None,
            waiting_offline: false,
            four_eyes: None,
        }
    }

    pub(super) async fn enqueue(&self, action: Action) -> Result<Action, DeskError> {
        let draft = self.transition_draft(&action, None, ActionState::Queued, None);
        match self.store.enqueue(&action, &draft).await {
            Ok(_) => {
                self.changed(Change::Outbox);
                Ok(action)
            }
            Err(StoreError::AlreadyPending(id)) => Err(DeskError::NotAllowed(format!(
                "a decision for this case is already in the outbox (action {id}); undo or cancel it first"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Queues a decision: validated, stamped with the reviewer and a fresh token, committed with
    /// its audit entry. It is sent once the profile's undo window has passed. Names the next
    /// case.
    pub async fn submit_decision(&self, request: DecisionRequest) -> Result<Submitted, DeskError> {
        self.submit_decision_within(request, self.policy.undo_window)
            .await
    }

    /// `submit_decision` with an undo window of the caller's (`desk decide --undo-secs`).
    pub async fn submit_decision_within(
        &self,
        mut request: DecisionRequest,
        undo_window: Duration,
    ) -> Result<Submitted, DeskError> {
        self.may(crate::standing::Act::Decide)?;
        // The UI only ever sees the person's email masked: an empty address means "the one on
        // file", filled in here from the case.
        if let Some(notice) = request
            .notify
            .as_mut()
            .filter(|n| n.address.trim().is_empty())
        {
            if let Some((summary, _)) = self.store.summary(&request.case_id).await? {
                if let Some(email) = summary
                    .contacts
                    .iter()
                    .find(|c| c.kind == crate::model::case::CheckKind::Email)
                {
                    notice.address = email.value.clone();
                }
            }
        }
        request.validate()?;
        self.allows_decision(&request)?;
        // A case known to be out of review (found by search, decided elsewhere) is read-only.
        if let Some((summary, _)) = self.store.summary(&request.case_id).await? {
            if summary.status != crate::model::case::CaseStatus::InReview {
                return Err(DeskError::NotAllowed(format!(
                    "session {} is {}: it is no longer in review, so it can be read, not decided",
                    summary.case_number.map_or("?".into(), |n| n.to_string()),
                    summary.status
                )));
            }
        }
        let needs_comment = matches!(request.verdict, Verdict::Decline | Verdict::Resubmit);
        if needs_comment
            && request
                .comment
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            return Err(
                ActionError::CommentRequired(if request.verdict == Verdict::Decline {
                    "decline"
                } else {
                    "resubmission"
                })
                .into(),
            );
        }
        let token = self.ids.token();
        let comment = request
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let stamped = DecisionRequest {
            comment: Some(self.reviewer.stamp(&token, comment.as_deref())),
            ..request.clone()
        };
        stamped.validate()?;
        let action = self.new_action(
            Ask {
                case_id: request.case_id.clone(),
                kind: ActionKind::of(request.verdict),
                body: ActionBody::Decision(stamped),
                reason_id: request.reason_id.clone(),
                comment,
            },
            token,
            undo_window.max(Duration::zero()),
        );
        let next_case_id = self.store.neighbour(&request.case_id).await?;
        let action = self.enqueue(action).await?;
        fail_point("after_enqueue_commit");
        self.store.remove_from_queue(&request.case_id).await?;
        self.changed(Change::Queue);
        Ok(Submitted {
            action,
            next_case_id,
        })
    }

    /// Queues a blocklist change of a case's items (sent at once: there is no undo window).
    pub async fn submit_blocklist(&self, request: BlocklistRequest) -> Result<Action, DeskError> {
        self.may(crate::standing::Act::Blocklist)?;
        validate_case_id(&request.case_id)?;
        self.lacks(&request.case_id, |c| c.blocklist, "blocklist")?;
        if request.items().is_empty() {
            return Err(ActionError::NothingToBlocklist.into());
        }
        let comment = crate::model::request::optional_comment(request.comment.as_deref())?;
        let kind = if request.add {
            ActionKind::BlocklistAdd
        } else {
            ActionKind::BlocklistRemove
        };
        self.enqueue_now(Ask {
            case_id: request.case_id.clone(),
            kind,
            body: ActionBody::Blocklist {
                add: request.add,
                items: request.items(),
            },
            reason_id: request.reason_id.clone(),
            comment,
        })
        .await
    }

    /// Queues an action with no undo window.
    pub(crate) async fn enqueue_now(&self, ask: Ask) -> Result<Action, DeskError> {
        let action = self
            .enqueue(self.new_action(ask, self.ids.token(), Duration::zero()))
            .await?;
        fail_point("after_enqueue_commit");
        Ok(action)
    }

    /// Queues an AML review: one hit marked, or the AML check's status set (sent at once).
    pub async fn submit_aml(&self, request: AmlRequest) -> Result<Action, DeskError> {
        self.may(crate::standing::Act::ReviewAml)?;
        request.validate()?;
        self.lacks(&request.case_id, |c| c.aml_hits, "AML screening to review")?;
        let kind = if request.hit_id.is_some() {
            ActionKind::AmlHit
        } else {
            ActionKind::AmlCheck
        };
        self.enqueue_now(Ask {
            case_id: request.case_id.clone(),
            kind,
            body: ActionBody::Aml {
                hit_id: request.hit_id.clone(),
                status: request.status.clone(),
            },
            reason_id: request.reason_id.clone(),
            comment: request.comment.as_deref().map(|c| c.trim().to_owned()),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::test_support::*;
    #[tokio::test]
    async fn a_decision_is_queued_with_its_audit_entry_then_sent_after_the_undo_window() {
        let mut d = desk(3);
        d.policy.undo_window = Duration::seconds(8);
        d.sync().await.unwrap();
        // The desk's own undo window: the profile's, not one handed in by the caller.
        let s = d
            .submit_decision(request(2, Verdict::Decline, Some("Altered")))
            .await
            .unwrap();
        assert_eq!(s.action.due_at, d.clock.now() + Duration::seconds(8));
        assert_eq!(s.next_case_id, Some(item(3).case_id));
        assert_eq!(s.action.state, ActionState::Queued);
        let trail = d.store.case_audit(&item(2).case_id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].draft.reason_id.as_deref(), Some("doc_altered"));
        assert_eq!(trail[0].draft.to_state.as_deref(), Some("queued"));
        // Inside the undo window nothing is sent.
        assert_eq!(d.run_due().await.unwrap().processed, 0);
        d.clock.advance(Duration::seconds(8));
        let r = d.run_due().await.unwrap();
        assert_eq!(r.applied, 1);
        let sent = d.source.applied.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert!(
            sent[0]
                .1
                .starts_with("[Review Desk · Amira Ben Salah <amira@dhmad.tn> · t"),
            "{}",
            sent[0].1
        );
        assert!(sent[0].1.ends_with("] Altered"));
        let states: Vec<_> = d
            .store
            .case_audit(&item(2).case_id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.draft.to_state.clone().unwrap_or_default())
            .collect();
        assert_eq!(states, vec!["queued", "sending", "applied"]);
        assert!(d.verify_audit(None).await.unwrap().ok);
    }

    #[tokio::test]
    async fn a_second_decision_for_the_same_case_is_refused_while_one_is_open() {
        let d = desk(2);
        d.sync().await.unwrap();
        d.submit_decision_within(request(1, Verdict::Approve, None), Duration::seconds(8))
            .await
            .unwrap();
        let e = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::seconds(8))
            .await
            .unwrap_err();
        assert!(
            matches!(e, DeskError::NotAllowed(ref m) if m.contains("already in the outbox")),
            "{e}"
        );
        assert_eq!(d.outbox().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_case_known_to_be_decided_is_read_only() {
        let d = desk(2);
        d.sync().await.unwrap();
        d.source.compete(&item(1).case_id, CaseStatus::Declined);
        d.find_sessions(&item(1).case_id).await.unwrap();
        let error = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DeskError::NotAllowed(m) if m.contains("session 1 is Declined")),
            "{error}"
        );
        assert!(d.outbox().await.unwrap().is_empty(), "nothing queued");
    }
}
