//! Didit as desk-core's `CaseSource`.

use desk_core::action::DecisionRequest;
use desk_core::case::{CaseStatus, CaseSummary};
use desk_core::review::{CaseSource, SourceError, SourcePage};

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
}
