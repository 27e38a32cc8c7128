//! Didit as desk-core's `CaseSource`.

use desk_core::action::DecisionRequest;
use desk_core::case::{CaseStatus, CaseSummary};
use desk_core::review::{CaseSource, RateBudget, SourceError, SourcePage};

use crate::{DiditClient, DiditError, SessionQuery};

impl From<DiditError> for SourceError {
    fn from(error: DiditError) -> Self {
        let text = error.to_string();
        match error {
            DiditError::Unauthorized { message } | DiditError::Forbidden { message } => {
                SourceError::Unauthorized(message)
            }
            DiditError::NotFound { message } => SourceError::NotFound(message),
            DiditError::Rejected { message, .. } => SourceError::Rejected(message),
            DiditError::RateLimited { .. } => SourceError::RateLimited,
            DiditError::InvalidInput(message) => SourceError::Invalid(message),
            e if e.outcome_unknown() => SourceError::OutcomeUnknown(text),
            _ => SourceError::Unavailable(text),
        }
    }
}

impl CaseSource for DiditClient {
    async fn in_review_page(&self, offset: u64, limit: u32) -> Result<SourcePage, SourceError> {
        let query = SessionQuery {
            statuses: vec![CaseStatus::InReview],
            limit: Some(limit),
            offset: Some(offset),
            ..Default::default()
        };
        let page = self.list_sessions(&query).await?;
        Ok(SourcePage {
            items: page.items,
            total: page.count,
            next_offset: page.next_offset,
        })
    }

    async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
        Ok(self.decision(case_id).await?)
    }

    async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
        Ok(self.update_status(request).await?)
    }

    fn budget(&self) -> Option<RateBudget> {
        let ((reads_left, writes_left, decisions_left), limits) = DiditClient::budget(self);
        Some(RateBudget {
            reads_left,
            reads_limit: limits.generic_get,
            writes_left,
            writes_limit: limits.generic_write,
            decisions_left,
            decisions_limit: limits.decision,
        })
    }

    async fn sessions_of(
        &self,
        vendor_data: &str,
    ) -> Result<Vec<desk_core::case::QueueItem>, SourceError> {
        let query = SessionQuery {
            vendor_data: Some(vendor_data.to_owned()),
            limit: Some(50),
            ..Default::default()
        };
        Ok(self.list_sessions(&query).await?.items)
    }
}
