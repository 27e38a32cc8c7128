//! Reconciling: before any resend, and after a decision's write, the provider is read back (the
//! action's token in the review feed, the case's status, the blocklist, the AML hits), so an
//! acknowledged action is applied once and another reviewer's decision is never overwritten.

use super::Outcome;
use crate::desk::Desk;
use crate::model::action::{Action, ActionBody, ActionState};
use crate::model::case::{CaseStatus, ReviewEntry, Verdict};
use crate::ports::SourceError;
use crate::ports::{Blocklists, CaseSource, Clock, Store};

pub(super) fn describe(entry: &ReviewEntry) -> String {
    format!(
        "{} → {} by {} at {}",
        entry
            .previous_status
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string),
        entry
            .new_status
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string),
        entry.actor,
        entry.at.as_deref().unwrap_or("an unknown time")
    )
}

pub(super) const UNTOKENED: &str =
    "the provider keeps no note with a resubmission, so the status is the only evidence";

pub(super) fn last_status_change<'a>(
    feed: &'a [ReviewEntry],
    token: &str,
) -> Option<&'a ReviewEntry> {
    feed.iter().rev().find(|r| {
        r.new_status.is_some() && !r.comment.as_deref().is_some_and(|c| c.contains(token))
    })
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// A decision the provider stores without the desk's stamped comment (VerifyHQ's restart).
    pub(super) fn untokened(&self, action: &Action) -> bool {
        match &action.body {
            ActionBody::Decision(request) => {
                request.verdict == Verdict::Resubmit
                    && !self
                        .source
                        .capabilities_of(&action.case_id)
                        .resubmit_keeps_token
            }
            _ => false,
        }
    }

    /// Whether the provider already shows what this write sets.
    pub(super) async fn already_there(
        &self,
        case_id: &str,
        body: &ActionBody,
    ) -> Result<bool, SourceError> {
        match body {
            ActionBody::Blocklist { add, items } => {
                let blocklists = self.source.blocklists();
                let blocklists = blocklists.ok_or_else(|| SourceError::lacking("blocklist"))?;
                let present = blocklists.blocklisted(case_id).await?;
                let pairs = [
                    (items.face, present.face),
                    (items.document, present.document),
                    (items.phone, present.phone),
                    (items.email, present.email),
                ];
                Ok(pairs.iter().all(|(want, is)| !want || is == add))
            }
            ActionBody::Aml { hit_id, status } => {
                let summary = self.source.summary(case_id).await?;
                Ok(match hit_id {
                    Some(hit) => summary.aml_hits.iter().any(|h| {
                        h.hit_id.as_deref() == Some(hit.as_str())
                            && h.review_status.as_deref() == Some(status.as_str())
                    }),
                    None => summary.checks.iter().any(|c| {
                        c.kind == crate::model::case::CheckKind::Aml && c.status.as_str() == status
                    }),
                })
            }
            ActionBody::Decision(_) | ActionBody::Invite { .. } => Ok(false),
        }
    }

    /// Reconciles a decision: Some(end) when it must not be sent (already applied, decided
    /// elsewhere, decided twice), None when it is safe to send.
    pub(super) async fn look_up_decision(
        &self,
        action: &Action,
    ) -> Result<Option<Outcome>, SourceError> {
        if self.untokened(action) {
            // The provider keeps no note with this write: its status is all there is to read.
            let status = self.source.summary(&action.case_id).await?.status;
            return Ok(match status {
                CaseStatus::InReview => None,
                CaseStatus::Resubmitted => Some(Outcome::End(
                    ActionState::Applied,
                    format!("applied: the case shows {status} ({})", UNTOKENED),
                )),
                other => Some(Outcome::End(
                    ActionState::Conflict,
                    format!("the case is already {other}: by someone else"),
                )),
            });
        }
        let feed = self.source.reviews(&action.case_id).await?;
        if let Some(ours) = feed.iter().find(|r| {
            r.comment
                .as_deref()
                .is_some_and(|c| c.contains(&action.token))
        }) {
            return Ok(Some(self.judge_ours(ours, &feed, action)));
        }
        let status = self.source.summary(&action.case_id).await?.status;
        if status != CaseStatus::InReview {
            let who = last_status_change(&feed, &action.token)
                .map(describe)
                .unwrap_or_else(|| "by someone else".into());
            return Ok(Some(Outcome::End(
                ActionState::Conflict,
                format!("the case is already {status}: {who}"),
            )));
        }
        Ok(None)
    }

    /// Our entry is in the feed: applied, unless the case had left In Review before it.
    pub(super) fn judge_ours(
        &self,
        ours: &ReviewEntry,
        feed: &[ReviewEntry],
        action: &Action,
    ) -> Outcome {
        match &ours.previous_status {
            Some(previous) if *previous != CaseStatus::InReview => {
                let theirs = last_status_change(feed, &action.token)
                    .map(describe)
                    .unwrap_or_else(|| format!("someone set it to {previous}"));
                Outcome::DecidedTwice(format!(
                    "decided twice: first {theirs}; then ours {}",
                    describe(ours)
                ))
            }
            _ => Outcome::End(ActionState::Applied, "applied".into()),
        }
    }

    /// After a successful write: read the feed to see whether another decision slipped in
    /// between our status check and our write.
    pub(super) async fn after_decision_write(&self, action: &Action) -> Outcome {
        if self.untokened(action) {
            // Accepted, and the provider's answer was for this very write.
            return Outcome::End(ActionState::Applied, "applied".into());
        }
        let feed = match self.source.reviews(&action.case_id).await {
            Ok(feed) => feed,
            Err(error) => {
                return Outcome::End(
                    ActionState::Applied,
                    format!("applied (the review feed could not be read to double-check: {error})"),
                )
            }
        };
        match feed.iter().find(|r| {
            r.comment
                .as_deref()
                .is_some_and(|c| c.contains(&action.token))
        }) {
            Some(ours) => self.judge_ours(ours, &feed, action),
            // Accepted but not recorded: a repeat of the current status is a no-op at Didit.
            None => {
                let who = last_status_change(&feed, &action.token)
                    .map(describe)
                    .unwrap_or_else(|| "someone else".into());
                Outcome::End(
                    ActionState::Conflict,
                    format!("the provider recorded nothing: the case was already decided ({who})"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::test_support::*;
    #[tokio::test]
    async fn a_lost_answer_is_reconciled_from_the_review_feed_not_resent() {
        let d = desk(1);
        fault(&d, WriteFault::LoseAnswer);
        let a = decide_now(&d, request(1, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::Applied, "{a:?}");
        assert_eq!(applied_count(&d, &a.token), 1);
    }

    #[tokio::test]
    async fn a_case_decided_elsewhere_ends_in_conflict_and_is_never_overwritten() {
        let d = desk(1);
        let s = d
            .submit_decision_within(
                request(1, Verdict::Decline, Some("x")),
                Duration::seconds(5),
            )
            .await
            .unwrap();
        d.source.compete(&item(1).case_id, CaseStatus::Approved);
        d.clock.advance(Duration::seconds(5));
        drain(&d).await;
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Conflict);
        assert!(a.detail.unwrap().contains("other@dhmad.tn"));
        assert_eq!(
            d.source.status(&item(1).case_id),
            Some(CaseStatus::Approved)
        );
    }

    #[tokio::test]
    async fn a_decision_racing_another_is_flagged_as_decided_twice() {
        let d = desk(1);
        fault(&d, WriteFault::Compete(CaseStatus::Approved));
        let a = decide_now(&d, request(1, Verdict::Decline, Some("x"))).await;
        assert_eq!(a.state, ActionState::NeedsAttention);
        let detail = a.detail.unwrap();
        assert!(
            detail.contains("decided twice") && detail.contains("other@dhmad.tn"),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn blocklist_changes_go_through_the_outbox_and_reconcile_against_the_list() {
        let d = desk(1);
        fault(&d, WriteFault::LoseAnswer);
        let a = d
            .submit_blocklist(BlocklistRequest {
                case_id: item(1).case_id,
                add: true,
                face: true,
                document: false,
                phone: false,
                email: true,
                reason_id: Some("fraud_ring".into()),
                comment: Some("same face as 4 others".into()),
            })
            .await
            .unwrap();
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Applied);
        assert_eq!(d.source.applied.lock().unwrap().len(), 1, "not sent twice");
        let none = d
            .submit_blocklist(BlocklistRequest {
                case_id: item(1).case_id,
                add: false,
                face: false,
                document: false,
                phone: false,
                email: false,
                reason_id: None,
                comment: None,
            })
            .await;
        assert!(none.is_err());
    }

    #[tokio::test]
    async fn aml_hits_and_the_aml_check_are_reviewed_through_the_outbox_and_reconciled() {
        let d = desk(1);
        let case = item(1).case_id;
        d.source.aml_hits.lock().unwrap().push((
            case.clone(),
            crate::model::case::AmlHit {
                hit_id: Some("hit_7c1e9a40".into()),
                matched_name: "Someone Else".into(),
                datasets: vec!["PEP".into()],
                match_score: Some(91.0),
                risk_score: None,
                review_status: Some("Unreviewed".into()),
            },
        ));
        let ask = |hit: Option<&str>, status: &str, comment: Option<&str>| AmlRequest {
            case_id: case.clone(),
            hit_id: hit.map(str::to_owned),
            status: status.to_owned(),
            reason_id: Some("aml_false_positive".into()),
            comment: comment.map(str::to_owned),
        };
        for bad in [
            ask(Some("hit_7c1e9a40"), "Approved", Some("why")),
            ask(None, "False Positive", Some("why")),
            ask(Some("../x"), "False Positive", Some("why")),
            ask(Some("hit_7c1e9a40"), "False Positive", None),
        ] {
            assert!(d.submit_aml(bad).await.is_err());
        }
        fault(&d, WriteFault::LoseAnswer);
        let a = d
            .submit_aml(ask(
                Some("hit_7c1e9a40"),
                "False Positive",
                Some("Different birth year"),
            ))
            .await
            .unwrap();
        assert_eq!(a.kind, ActionKind::AmlHit);
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(
            (a.state, a.detail.as_deref()),
            (ActionState::Applied, Some("found applied"))
        );
        assert_eq!(
            d.source.applied.lock().unwrap().len(),
            1,
            "sent once despite the lost answer"
        );
        let c = d
            .submit_aml(ask(None, "Approved", Some("All hits cleared")))
            .await
            .unwrap();
        drain(&d).await;
        assert_eq!(
            d.store.action(&c.id).await.unwrap().unwrap().state,
            ActionState::Applied
        );
        let trail = d.store.case_audit(&case).await.unwrap();
        assert!(trail.iter().any(|e| e.draft.action == "aml_check"
            && e.draft.comment.as_deref() == Some("All hits cleared")));
    }
}
