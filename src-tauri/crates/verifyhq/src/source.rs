//! VerifyHQ as desk-core's `CaseSource`. The seed names no endpoint that lists every
//! verification waiting in MANUAL_REVIEW, so the queue is built from a watch list of user ids:
//! each watched user's verifications are read page by page within the client's rate limit.
//! Mappings: approve → review VERIFIED, decline → review REJECTED, resubmit → restart (a new
//! verification); `reviewedBy` is the reviewer's identity and `reviewNotes` the stamped comment
//! and reason. VerifyHQ has no blocklist and no AML hits: those ask nothing of it.

use std::sync::{Arc, RwLock};

use crate::ids::{case_id as verifyhq_case_id, verification_id as verifyhq_id};
use desk_core::desk::Reviewer;
use desk_core::model::case::{
    CaseStatus, CaseSummary, Check, CheckKind, CheckStatus, QueueItem, ReviewEntry, Verdict,
};
use desk_core::model::request::DecisionRequest;
use desk_core::ports::{CaseSource, Progress, QueueFilter, RateBudget, SourceError, WorkflowName};

use crate::{Decision, Verification, VerifyHqClient, VerifyHqError};

/// Pages read per watched user per sync (100 verifications each).
const MAX_PAGES_PER_USER: u32 = 5;
/// Watched users read side by side (the rate limiter sets the pace).
const USERS_AT_ONCE: usize = 4;
/// VerifyHQ's tiers, shown where Didit shows a workflow.
const TIERS: [(&str, &str); 3] = [
    ("BASIC", "VerifyHQ BASIC (document)"),
    ("STANDARD", "VerifyHQ STANDARD (document, liveness)"),
    (
        "ENHANCED",
        "VerifyHQ ENHANCED (document, liveness, sanctions)",
    ),
];

impl From<VerifyHqError> for SourceError {
    fn from(error: VerifyHqError) -> Self {
        let text = error.to_string();
        match error {
            VerifyHqError::Unauthorized { message } | VerifyHqError::Forbidden { message } => {
                SourceError::Unauthorized(message)
            }
            VerifyHqError::NotFound { message } => SourceError::NotFound(message),
            VerifyHqError::BadRequest { message } | VerifyHqError::Conflict { message } => {
                SourceError::Rejected(message)
            }
            VerifyHqError::RateLimited { retry_after, .. } => SourceError::RateLimited(retry_after),
            VerifyHqError::InvalidInput(message) => SourceError::Invalid(message),
            VerifyHqError::Connection(_) | VerifyHqError::Timeout => SourceError::Unavailable(text),
            e if e.outcome_unknown() => SourceError::OutcomeUnknown(text),
            _ => SourceError::Unavailable(text),
        }
    }
}

/// The VerifyHQ client and the user ids the desk watches.
pub struct VerifyHqSource {
    client: VerifyHqClient,
    watched: Arc<RwLock<Vec<String>>>,
}

impl VerifyHqSource {
    /// `watched` is shared with whoever edits the watch list; each sync reads it afresh.
    pub fn new(client: VerifyHqClient, watched: Arc<RwLock<Vec<String>>>) -> Self {
        Self { client, watched }
    }

    pub fn client(&self) -> &VerifyHqClient {
        &self.client
    }

    fn watched(&self) -> Vec<String> {
        self.watched
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The watched users' verifications in MANUAL_REVIEW.
    async fn waiting(&self, progress: Progress<'_>) -> Result<Vec<Verification>, SourceError> {
        use futures_util::{StreamExt, TryStreamExt};
        let found = std::sync::atomic::AtomicUsize::new(0);
        let client = &self.client;
        let per_user: Vec<Vec<Verification>> = futures_util::stream::iter(self.watched())
            .map(move |user: String| async move {
                let all = client.user_verifications(&user, MAX_PAGES_PER_USER).await?;
                Ok::<_, SourceError>(all.into_iter().filter(|v| v.in_manual_review()).collect())
            })
            .buffer_unordered(USERS_AT_ONCE)
            .inspect_ok(|waiting: &Vec<Verification>| {
                let n = waiting.len();
                progress(
                    found.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n,
                    None,
                );
            })
            .try_collect()
            .await?;
        Ok(per_user.into_iter().flatten().collect())
    }

    async fn verification(&self, case_id: &str) -> Result<Verification, SourceError> {
        Ok(self.client.get(id_of(case_id)?).await?)
    }
}

fn id_of(case_id: &str) -> Result<&str, SourceError> {
    verifyhq_id(case_id)
        .ok_or_else(|| SourceError::Invalid(format!("{case_id:?} is not a VerifyHQ case")))
}

/// VerifyHQ's verification status in the desk's terms; a restarted verification reads as
/// resubmitted.
fn case_status(v: &Verification) -> CaseStatus {
    match v.status.as_str() {
        "PENDING" => CaseStatus::NotStarted,
        "IN_PROGRESS" => CaseStatus::InProgress,
        "MANUAL_REVIEW" => CaseStatus::InReview,
        "VERIFIED" => CaseStatus::Approved,
        "REJECTED" => CaseStatus::Declined,
        "EXPIRED" if v.invalidated_by.is_some() => CaseStatus::Resubmitted,
        "EXPIRED" => CaseStatus::Expired,
        other => CaseStatus::Other(other.to_owned()),
    }
}

fn check_kind(step: &str) -> CheckKind {
    match step {
        "document" => CheckKind::IdDocument,
        "liveness" => CheckKind::Liveness,
        "sanctions" => CheckKind::Aml,
        other => CheckKind::Other(other.to_owned()),
    }
}

fn check_status(state: &str) -> CheckStatus {
    match state {
        "VERIFIED" | "PASSED" | "CLEAR" => CheckStatus::Approved,
        "REJECTED" | "FAILED" => CheckStatus::Declined,
        "MANUAL_REVIEW" | "REVIEW" => CheckStatus::InReview,
        "PENDING" | "IN_PROGRESS" => CheckStatus::NotFinished,
        "EXPIRED" => CheckStatus::Expired,
        other => CheckStatus::Other(other.to_owned()),
    }
}

fn item(v: &Verification) -> QueueItem {
    QueueItem {
        case_id: verifyhq_case_id(&v.id),
        case_number: None,
        status: case_status(v),
        vendor_data: Some(v.user_id.clone()),
        full_name: None,
        country: None,
        document_type: None,
        created_at: v.created_at.clone(),
        checks: v
            .steps
            .iter()
            .map(|(step, state)| (check_kind(step), check_status(state)))
            .collect(),
    }
}

/// What VerifyHQ says happened to a verification, as review-feed entries: its review (who,
/// the notes with the desk's token, when) and its restart.
fn feed(v: &Verification) -> Vec<ReviewEntry> {
    let mut entries = Vec::new();
    if let Some(by) = &v.reviewed_by {
        entries.push(ReviewEntry {
            actor: by.clone(),
            actor_type: None,
            activity_type: Some("REVIEW".into()),
            previous_status: Some(CaseStatus::InReview),
            new_status: Some(match v.status.as_str() {
                "VERIFIED" => CaseStatus::Approved,
                _ => CaseStatus::Declined,
            }),
            comment: v.review_notes.clone(),
            at: v.reviewed_at.clone().or_else(|| v.completed_at.clone()),
        });
    }
    if let Some(next) = &v.invalidated_by {
        entries.push(ReviewEntry {
            actor: "VerifyHQ".into(),
            actor_type: None,
            activity_type: Some("RESTART".into()),
            previous_status: None,
            new_status: Some(CaseStatus::Resubmitted),
            comment: Some(format!("restarted as {next}")),
            at: None,
        });
    }
    entries
}

fn summary(v: &Verification) -> CaseSummary {
    CaseSummary {
        workflow_id: v.tier.as_ref().map(|t| tier_workflow(t)),
        vendor_data: Some(v.user_id.clone()),
        created_at: v.created_at.clone(),
        checks: v
            .steps
            .iter()
            .map(|(step, state)| Check {
                kind: check_kind(step),
                step: step.clone(),
                status: check_status(state),
                score: None,
                facts: vec![("VerifyHQ step state".into(), state.clone())],
            })
            .collect(),
        reviews: feed(v),
        ..CaseSummary::bare(verifyhq_case_id(&v.id), case_status(v))
    }
}

fn tier_workflow(tier: &str) -> String {
    verifyhq_case_id(tier)
}

/// `reviewNotes`: the stamped comment (it carries the action's token) and the reason.
fn review_notes(request: &DecisionRequest) -> String {
    let comment = request.comment.as_deref().unwrap_or_default().trim();
    match &request.reason_id {
        Some(reason) => format!("{comment} (reason: {reason})"),
        None => comment.to_owned(),
    }
}

impl CaseSource for VerifyHqSource {
    fn provider_of(&self, _case_id: &str) -> desk_core::provider::Provider {
        desk_core::provider::Provider::VerifyHq
    }

    fn capabilities_of(&self, _case_id: &str) -> desk_core::provider::Capabilities {
        crate::ids::CAPABILITIES
    }

    async fn in_review(&self, progress: Progress<'_>) -> Result<Vec<QueueItem>, SourceError> {
        Ok(self.waiting(progress).await?.iter().map(item).collect())
    }

    async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
        Ok(summary(&self.verification(case_id).await?))
    }

    async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
        let id = id_of(&request.case_id)?;
        if request.verdict == Verdict::Resubmit {
            self.client.restart(id).await?;
            return Ok(());
        }
        let decision = match request.verdict {
            Verdict::Approve => Decision::Verified,
            _ => Decision::Rejected,
        };
        let stamped = request.comment.as_deref().unwrap_or_default();
        let reviewed_by = Reviewer::named_in(stamped).ok_or_else(|| {
            SourceError::Invalid("a VerifyHQ review needs the reviewer's identity".into())
        })?;
        self.client
            .review(id, decision, reviewed_by, &review_notes(request))
            .await?;
        Ok(())
    }

    async fn reviews(&self, case_id: &str) -> Result<Vec<ReviewEntry>, SourceError> {
        Ok(feed(&self.verification(case_id).await?))
    }

    fn budgets(&self) -> Vec<RateBudget> {
        let (left, limit) = self.client.budget();
        vec![RateBudget {
            provider: desk_core::provider::Provider::VerifyHq,
            shared: true,
            reads_left: left,
            reads_limit: limit,
            writes_left: left,
            writes_limit: limit,
        }]
    }

    fn workflows(&self) -> Option<&impl desk_core::ports::Workflows> {
        Some(self)
    }

    fn queue_filters(&self) -> Option<&impl desk_core::ports::QueueFilters> {
        Some(self)
    }

    fn person_sessions(&self) -> Option<&impl desk_core::ports::PersonSessions> {
        Some(self)
    }
}

impl desk_core::ports::Workflows for VerifyHqSource {
    async fn workflow_thresholds(
        &self,
        _workflow_id: &str,
    ) -> Result<Option<desk_core::model::case::WorkflowThresholds>, SourceError> {
        Ok(None)
    }

    async fn list(&self) -> Result<Vec<WorkflowName>, SourceError> {
        Ok(TIERS
            .iter()
            .map(|(tier, name)| WorkflowName {
                id: tier_workflow(tier),
                name: (*name).to_owned(),
            })
            .collect())
    }
}

impl desk_core::ports::QueueFilters for VerifyHqSource {
    /// VerifyHQ carries no warning codes or document country; only the tier filters.
    async fn in_review_matching(&self, filter: &QueueFilter) -> Result<Vec<String>, SourceError> {
        if filter.warning.is_some() || filter.country.is_some() {
            return Ok(vec![]);
        }
        let Some(workflow) = &filter.workflow_id else {
            return Ok(vec![]);
        };
        Ok(self
            .waiting(&|_, _| ())
            .await?
            .into_iter()
            .filter(|v| v.tier.as_deref().map(tier_workflow).as_deref() == Some(workflow.as_str()))
            .map(|v| verifyhq_case_id(&v.id))
            .collect())
    }
}

impl desk_core::ports::PersonSessions for VerifyHqSource {
    /// A watched user's verifications, any status (`vendor_data` is VerifyHQ's user id).
    async fn sessions_of(&self, user_id: &str) -> Result<Vec<QueueItem>, SourceError> {
        if !desk_core::model::request::valid_provider_id(user_id) {
            return Ok(vec![]);
        }
        let all = self
            .client
            .user_verifications(user_id, MAX_PAGES_PER_USER)
            .await?;
        Ok(all.iter().map(item).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verification(status: &str) -> Verification {
        serde_json::from_value(serde_json::json!({
            "id": "ver_abc123", "userId": "user_1", "tier": "STANDARD", "status": status,
            "steps": {"document": "VERIFIED", "liveness": "FAILED"},
            "createdAt": "2026-11-30T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn statuses_steps_and_tiers_map_to_the_desks_terms() {
        let v = verification("MANUAL_REVIEW");
        let s = summary(&v);
        assert_eq!(s.case_id, "verifyhq:ver_abc123");
        assert_eq!(s.status, CaseStatus::InReview);
        assert_eq!(s.workflow_id.as_deref(), Some("verifyhq:STANDARD"));
        assert_eq!(s.vendor_data.as_deref(), Some("user_1"));
        let kinds: Vec<_> = s.checks.iter().map(|c| (&c.kind, &c.status)).collect();
        assert_eq!(
            kinds,
            vec![
                (&CheckKind::IdDocument, &CheckStatus::Approved),
                (&CheckKind::Liveness, &CheckStatus::Declined)
            ]
        );
        let mut restarted = verification("EXPIRED");
        assert_eq!(case_status(&restarted), CaseStatus::Expired);
        restarted.invalidated_by = Some("ver_new".into());
        assert_eq!(case_status(&restarted), CaseStatus::Resubmitted);
        assert_eq!(
            feed(&restarted)[0].new_status,
            Some(CaseStatus::Resubmitted)
        );
    }

    #[test]
    fn the_review_becomes_a_feed_entry_carrying_the_notes() {
        let mut v = verification("REJECTED");
        v.reviewed_by = Some("Amira <amira@dhmad.tn>".into());
        v.review_notes = Some("[Review Desk · Amira <amira@dhmad.tn> · t0k3n] blurry".into());
        let f = feed(&v);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].new_status, Some(CaseStatus::Declined));
        assert!(f[0].comment.as_deref().unwrap().contains("t0k3n"));
        let request = DecisionRequest {
            case_id: "verifyhq:ver_abc123".into(),
            verdict: Verdict::Decline,
            comment: v.review_notes.clone(),
            notify: None,
            redo: vec![],
            reason_id: Some("doc_unreadable".into()),
        };
        assert_eq!(
            Reviewer::named_in(request.comment.as_deref().unwrap()),
            Some("Amira <amira@dhmad.tn>")
        );
        assert!(review_notes(&request).ends_with("blurry (reason: doc_unreadable)"));
    }
}
