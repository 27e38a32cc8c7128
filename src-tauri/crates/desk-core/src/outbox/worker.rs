//! The worker: sends what is due, one action per case at a time and in order per case; while
//! the provider is away only the oldest action probes it, so the others keep their order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::gates::Look;
use super::{fail_point, Outcome};
use crate::claims::{ClaimStore, NoTeam};
use crate::desk::{Desk, DeskError};
use crate::four_eyes::FourEyes;
use crate::model::action::{Action, ActionBody, ActionState};
use crate::ports::SourceError;
use crate::ports::{AmlReviews, Blocklists, CaseSource, Clock, Store};

/// The decision among `heads` with this id, if it is one.
pub(super) fn open_decision<'a>(heads: &'a [Action], id: &str) -> Option<&'a Action> {
    heads.iter().find(|a| a.id == id && a.kind.is_decision())
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainReport {
    pub processed: u32,
    pub applied: u32,
    pub rejected: u32,
    pub conflict: u32,
    pub needs_attention: u32,
    /// Actions waiting for a second reviewer (not counted in `next_due`).
    pub awaiting_second_look: u32,
    /// When the next open action is due (None: nothing open).
    pub next_due: Option<DateTime<Utc>>,
}

impl DrainReport {
    /// Adds a later pass's counts; the waits are the later pass's.
    pub fn absorb(&mut self, later: &DrainReport) {
        self.processed += later.processed;
        self.applied += later.applied;
        self.rejected += later.rejected;
        self.conflict += later.conflict;
        self.needs_attention += later.needs_attention;
        self.awaiting_second_look = later.awaiting_second_look;
        self.next_due = later.next_due;
    }

    /// How long from `now` until the next open action is due (None: nothing open; zero: due).
    pub fn wait_from(&self, now: DateTime<Utc>) -> Option<std::time::Duration> {
        self.next_due
            .map(|due| (due - now).to_std().unwrap_or_default())
    }
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Sends every action that is due, one per case at a time and in order per case, and
    /// says when the next one is due.
    pub async fn run_due(&self) -> Result<DrainReport, DeskError> {
        self.run_due_with(None::<&crate::lookup::NoDirectory>, &NoTeam)
            .await
    }

    /// `run_due`, with DHMAD for support's actions (without it they wait, needing its key),
    /// and the team's claims: on a team, a decision is sent only while this desk holds its
    /// case, and letting it go follows once it is applied.
    pub async fn run_due_with(
        &self,
        directory: Option<&impl crate::lookup::Directory>,
        team: &(impl ClaimStore + FourEyes),
    ) -> Result<DrainReport, DeskError> {
        let mut report = DrainReport::default();
        // Actions that wait for a second reviewer are asked once per call, then left waiting.
        let mut asked: std::collections::HashSet<String> = std::collections::HashSet::new();
        // Bounded: each pass moves at least one action forward or stops.
        for _ in 0..10_000 {
            let open = self.store.actions(true).await?;
            let mut seen = std::collections::HashSet::new();
            let heads: Vec<Action> = open
                .into_iter()
                .filter(|a| seen.insert(a.case_id.clone()))
                .collect();
            let now = self.clock.now();
            let offline = self.offline_since().is_some();
            let is_due = |a: &Action| {
                a.state == ActionState::Sending
                    || a.due_at <= now
                    // The provider answers again: what waited out the outage goes now, in order.
                    || (!offline && a.waiting_offline)
            };
            // While the provider is away only the oldest action probes it (on its own retry
            // schedule); the others wait behind it, so they keep their order when it is back.
            let candidates = if offline {
                &heads[..heads.len().min(1)]
            } else {
                &heads[..]
            };
            let due: Vec<Action> = candidates
                .iter()
                .filter(|a| is_due(a) && !asked.contains(&a.id))
                .cloned()
                .collect();
            if due.is_empty() {
                report.awaiting_second_look =
                    candidates.iter().filter(|a| asked.contains(&a.id)).count() as u32;
                report.next_due = candidates
                    .iter()
                    .filter(|a| !asked.contains(&a.id))
                    .map(|a| a.due_at)
                    .min();
                return Ok(report);
            }
            for action in due {
                let id = action.id.clone();
                let action = match self.second_look(team, action).await? {
                    Look::Go(action) => *action,
                    Look::Wait => {
                        // Kept while it waits: the lease is renewed (a decision only).
                        if let Some(a) = open_decision(&heads, &id) {
                            let _ = self.unheld(team, &a.case_id).await;
                        }
                        asked.insert(id);
                        continue;
                    }
                    Look::Ended => {
                        if let Some(a) = open_decision(&heads, &id) {
                            let _ = team.release(&a.case_id, &self.reviewer.identity()).await;
                        }
                        report.processed += 1;
                        report.rejected += 1;
                        continue;
                    }
                };
                let decision = action.kind.is_decision();
                let case_id = action.case_id.clone();
                let end = self.process(action, directory, team).await?;
                if decision && end.is_some() {
                    // Decided (or ended): the claim has done its job. A failure here only
                    // leaves the lease to run out.
                    let _ = team.release(&case_id, &self.reviewer.identity()).await;
                }
                report.processed += 1;
                match end {
                    Some(ActionState::Applied) => report.applied += 1,
                    Some(ActionState::Rejected) => report.rejected += 1,
                    Some(ActionState::Conflict) => report.conflict += 1,
                    Some(ActionState::NeedsAttention) => report.needs_attention += 1,
                    _ => {}
                }
            }
        }
        Ok(report)
    }

    /// One attempt at one action; returns the end state it reached, if any.
    pub(super) async fn process(
        &self,
        action: Action,
        directory: Option<&impl crate::lookup::Directory>,
        team: &impl ClaimStore,
    ) -> Result<Option<ActionState>, DeskError> {
        let reconcile = action.state == ActionState::Sending || action.unknown_outcome;
        let action = if action.state == ActionState::Queued {
            let next = Action {
                state: ActionState::Sending,
                attempts: action.attempts + 1,
                updated_at: self.clock.now(),
                ..action.clone()
            };
            match self
                .move_to(&action, ActionState::Queued, next, None, None)
                .await
            {
                Ok(next) => next,
                // Undone or cancelled a moment ago: nothing to send.
                Err(DeskError::NotAllowed(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
        } else {
            // Found in flight (the process stopped mid-send): it may have landed.
            Action {
                unknown_outcome: true,
                ..action
            }
        };
        let outcome = match &action.body {
            ActionBody::Invite { email } => self.send_invite(directory, email).await,
            _ => self.attempt(&action, reconcile, team).await,
        };
        self.record(action, outcome).await
    }

    pub(super) async fn attempt(
        &self,
        action: &Action,
        reconcile: bool,
        team: &impl ClaimStore,
    ) -> Outcome {
        match &action.body {
            ActionBody::Decision(request) => {
                // Always look first: a token in the feed means it landed; a status other than
                // In Review means someone else decided and we must not overwrite.
                let looked = self.look_up_decision(action).await;
                self.saw_provider(!matches!(looked, Err(SourceError::Unavailable(_))));
                match looked {
                    Ok(Some(found)) => return found,
                    Ok(None) => {}
                    Err(e) => return self.retry_after_error(e, false),
                }
                if let Some(refused) = self.unheld(team, &action.case_id).await {
                    return refused;
                }
                fail_point("before_send");
                let sent = self.source.decide(request).await;
                fail_point("after_send_before_record");
                self.saw_provider(!matches!(
                    sent,
                    Err(SourceError::Unavailable(_) | SourceError::OutcomeUnknown(_))
                ));
                match sent {
                    Ok(()) => self.after_decision_write(action).await,
                    // Refused: if someone decided the case in the meantime (a repeat of their
                    // status is refused), that is a conflict, not the API rejecting ours.
                    Err(SourceError::Rejected(message)) => {
                        match self.look_up_decision(action).await {
                            Ok(Some(found @ Outcome::End(ActionState::Conflict, _))) => found,
                            _ => Outcome::End(ActionState::Rejected, message),
                        }
                    }
                    Err(e) => self.retry_after_error(e, true),
                }
            }
            // Writes that set a state: reconciled by reading that state back.
            body => {
                if reconcile {
                    let found = self.already_there(&action.case_id, body).await;
                    self.saw_provider(!matches!(found, Err(SourceError::Unavailable(_))));
                    match found {
                        Ok(true) => {
                            return Outcome::End(ActionState::Applied, "found applied".into())
                        }
                        Ok(false) => {}
                        Err(e) => return self.retry_after_error(e, false),
                    }
                }
                fail_point("before_send");
                let sent = self.write_state(&action.case_id, body).await;
                fail_point("after_send_before_record");
                self.saw_provider(!matches!(sent, Err(SourceError::Unavailable(_))));
                match sent {
                    Ok(()) => Outcome::End(ActionState::Applied, "applied".into()),
                    Err(e) => self.retry_after_error(e, true),
                }
            }
        }
    }

    pub(super) async fn write_state(
        &self,
        case_id: &str,
        body: &ActionBody,
    ) -> Result<(), SourceError> {
        match body {
            ActionBody::Blocklist { add, items } => {
                let blocklists = self.source.blocklists();
                let blocklists = blocklists.ok_or_else(|| SourceError::lacking("blocklist"))?;
                blocklists.blocklist(case_id, *add, *items).await
            }
            ActionBody::Aml { hit_id, status } => {
                let reviews = self.source.aml_reviews();
                let reviews = reviews.ok_or_else(|| SourceError::lacking("AML screening"))?;
                match hit_id {
                    Some(hit) => reviews.aml_hit_status(case_id, hit, status).await,
                    None => reviews.aml_check_status(case_id, status).await,
                }
            }
            ActionBody::Decision(_) | ActionBody::Invite { .. } => Err(SourceError::Invalid(
                "not a state write at the provider".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::test_support::*;
    #[tokio::test]
    async fn rate_limits_and_outages_retry_and_final_refusals_keep_the_apis_message() {
        let d = desk(2);
        {
            let mut f = d.source.write_faults.lock().unwrap();
            f.push_back(WriteFault::Fail(SourceError::RateLimited(Some(
                std::time::Duration::from_secs(30),
            ))));
            f.push_back(WriteFault::Fail(SourceError::OutcomeUnknown("502".into())));
        }
        let s = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        d.run_due().await.unwrap();
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Queued);
        assert!(
            a.due_at - d.clock.now() >= Duration::seconds(30),
            "Retry-After is a minimum"
        );
        drain(&d).await;
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!((a.state, a.attempts), (ActionState::Applied, 3));
        assert_eq!(applied_count(&d, &a.token), 1);

        fault(
            &d,
            WriteFault::Fail(SourceError::Rejected(
                "nodes_to_resubmit: feature: \"BOGUS\" is not a valid choice.".into(),
            )),
        );
        let a = decide_now(&d, request(2, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::Rejected);
        assert!(a.detail.unwrap().contains("BOGUS"));
    }

    #[tokio::test]
    async fn offline_actions_wait_without_giving_up_and_drain_in_order() {
        let mut d = desk(3);
        d.policy.max_attempts = 3;
        *d.source.offline.lock().unwrap() = true;
        let mut ids = Vec::new();
        for case in [2, 1, 3] {
            let s = d
                .submit_decision_within(request(case, Verdict::Approve, None), Duration::zero())
                .await
                .unwrap();
            ids.push(s.action.id);
        }
        for _ in 0..20 {
            d.run_due().await.unwrap();
            d.clock.advance(Duration::seconds(61));
        }
        assert!(d.offline_since().is_some());
        let status = d.outbox_status().await.unwrap();
        assert_eq!(
            (status.pending, status.needs_attention),
            (3, 0),
            "an outage is waited out"
        );
        *d.source.offline.lock().unwrap() = false;
        drain(&d).await;
        assert!(d.offline_since().is_none());
        let order: Vec<String> = d
            .source
            .applied
            .lock()
            .unwrap()
            .iter()
            .map(|(case, _)| case.clone())
            .collect();
        assert_eq!(
            order,
            vec![item(2).case_id, item(1).case_id, item(3).case_id]
        );
    }

    #[tokio::test]
    async fn after_an_outage_actions_go_in_the_order_they_were_queued_whatever_their_retry_times() {
        let d = desk(2);
        *d.source.offline.lock().unwrap() = true;
        let first = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        d.run_due().await.unwrap();
        // Later, a second decision is due at once while the first waits out its backoff.
        d.clock.advance(Duration::seconds(30));
        let second = d
            .submit_decision_within(request(2, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        let report = d.run_due().await.unwrap();
        assert_eq!(report.processed, 1);
        let probed = d.store.action(&first.action.id).await.unwrap().unwrap();
        assert_eq!(
            probed.attempts, 0,
            "the oldest probed the provider (unreachable: not counted)"
        );
        assert!(
            d.store
                .action(&second.action.id)
                .await
                .unwrap()
                .unwrap()
                .due_at
                <= d.clock.now()
        );
        *d.source.offline.lock().unwrap() = false;
        drain(&d).await;
        let order: Vec<String> = d
            .source
            .applied
            .lock()
            .unwrap()
            .iter()
            .map(|(case, _)| case.clone())
            .collect();
        assert_eq!(order, vec![item(1).case_id, item(2).case_id]);
    }
}
