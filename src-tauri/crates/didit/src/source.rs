//! Didit as desk-core's `CaseSource`.

use desk_core::blocklist::{BlocklistKind, BlocklistPage};
use desk_core::model::case::QueueItem;
use desk_core::model::case::{CaseStatus, CaseSummary, ReviewEntry};
use desk_core::model::request::{BlocklistSelection, DecisionRequest};
use desk_core::ports::{CaseSource, Progress, QueueFilter, RateBudget, SourceError, WorkflowName};

use crate::{DiditClient, DiditError, SessionQuery};

/// Sessions per page of the in-review list (Didit's largest page).
const IN_REVIEW_PAGE: u32 = 100;

impl From<DiditError> for SourceError {
    fn from(error: DiditError) -> Self {
        let text = error.to_string();
        match error {
            DiditError::Unauthorized { message } | DiditError::Forbidden { message } => {
                SourceError::Unauthorized(message)
            }
            DiditError::NotFound { message } => SourceError::NotFound(message),
            DiditError::Rejected { message, .. } => SourceError::Rejected(message),
            DiditError::RateLimited { retry_after, .. } => SourceError::RateLimited(retry_after),
            DiditError::InvalidInput(message) => SourceError::Invalid(message),
            // Not reached at all, or no answer in time: for a write the outbox treats this as
            // "may have been applied" and reconciles before sending again.
            DiditError::Connection(_) | DiditError::Timeout => SourceError::Unavailable(text),
            e if e.outcome_unknown() => SourceError::OutcomeUnknown(text),
            _ => SourceError::Unavailable(text),
        }
    }
}

impl CaseSource for DiditClient {
    fn provider_of(&self, _case_id: &str) -> desk_core::provider::Provider {
        desk_core::provider::Provider::Didit
    }

    fn capabilities_of(&self, _case_id: &str) -> desk_core::provider::Capabilities {
        crate::CAPABILITIES
    }

    async fn in_review(&self, progress: Progress<'_>) -> Result<Vec<QueueItem>, SourceError> {
        use futures_util::{StreamExt, TryStreamExt};
        let page_of = |offset: u64| SessionQuery {
            statuses: vec![CaseStatus::InReview],
            limit: Some(IN_REVIEW_PAGE),
            offset: Some(offset),
            ..Default::default()
        };
        let first = self.list_sessions(&page_of(0)).await?;
        let total = first.count.map(|c| c as usize);
        let mut items = first.items;
        progress(items.len(), total);
        if first.next_offset.is_some() && total.is_some_and(|t| t > items.len()) {
            // The count says how many pages remain: fetch them a few at a time. The client's
            // rate limiter keeps the pace within Didit's quota.
            let offsets: Vec<u64> = (1..)
                .map(|p| p * u64::from(IN_REVIEW_PAGE))
                .take_while(|o| (*o as usize) < total.unwrap_or(0))
                .collect();
            let fetched = std::sync::atomic::AtomicUsize::new(items.len());
            let pages: Vec<_> = futures_util::stream::iter(offsets)
                .map(|offset| {
                    let query = page_of(offset);
                    async move { self.list_sessions(&query).await }
                })
                .buffered(4)
                .inspect_ok(|page| {
                    let so_far = fetched
                        .fetch_add(page.items.len(), std::sync::atomic::Ordering::Relaxed)
                        + page.items.len();
                    progress(so_far, total);
                })
                .try_collect()
                .await?;
            items.extend(pages.into_iter().flat_map(|p| p.items));
        }
        Ok(items)
    }

    async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
        Ok(self.decision(case_id).await?)
    }

    async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
        Ok(self.update_status(request).await?)
    }

    async fn reviews(&self, case_id: &str) -> Result<Vec<ReviewEntry>, SourceError> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.list_reviews(case_id, offset).await?;
            let got = page.items.len() as u64;
            all.extend(page.items);
            match page.next_offset {
                Some(next) if got > 0 && next > offset => offset = next,
                _ => return Ok(all),
            }
        }
    }

    fn budgets(&self) -> Vec<RateBudget> {
        let ((reads_left, writes_left), limits) = DiditClient::budget(self);
        vec![RateBudget {
            provider: desk_core::provider::Provider::Didit,
            shared: false,
            reads_left,
            reads_limit: limits.generic_get,
            writes_left,
            writes_limit: limits.generic_write,
        }]
    }

    fn blocklists(&self) -> Option<&impl desk_core::ports::Blocklists> {
        Some(self)
    }

    fn aml_reviews(&self) -> Option<&impl desk_core::ports::AmlReviews> {
        Some(self)
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

impl desk_core::ports::Blocklists for DiditClient {
    async fn blocklist(
        &self,
        case_id: &str,
        add: bool,
        items: BlocklistSelection,
    ) -> Result<(), SourceError> {
        if add {
            self.blocklist_add(case_id, items).await?;
        } else {
            self.blocklist_remove(case_id, items).await?;
        }
        Ok(())
    }

    async fn blocklist_page(
        &self,
        kind: BlocklistKind,
        offset: u64,
    ) -> Result<BlocklistPage, SourceError> {
        let page = self.blocklist_list(Some(kind), offset).await?;
        Ok(BlocklistPage {
            entries: page.items,
            total: page.count,
        })
    }

    async fn blocklisted(&self, case_id: &str) -> Result<BlocklistSelection, SourceError> {
        let mut found = BlocklistSelection::default();
        let mut offset = 0;
        loop {
            let page = self.blocklist_list(None, offset).await?;
            let got = page.items.len() as u64;
            for entry in page
                .items
                .iter()
                .filter(|e| e.case_id.as_deref() == Some(case_id))
            {
                match entry.kind {
                    BlocklistKind::Face => found.face = true,
                    BlocklistKind::Document => found.document = true,
                    BlocklistKind::Phone => found.phone = true,
                    BlocklistKind::Email => found.email = true,
                }
            }
            match page.next_offset {
                Some(next) if got > 0 && next > offset => offset = next,
                _ => return Ok(found),
            }
        }
    }
}

impl desk_core::ports::AmlReviews for DiditClient {
    async fn aml_hit_status(
        &self,
        case_id: &str,
        hit_id: &str,
        status: &str,
    ) -> Result<(), SourceError> {
        Ok(self.update_aml_hit_status(case_id, hit_id, status).await?)
    }

    async fn aml_check_status(&self, case_id: &str, status: &str) -> Result<(), SourceError> {
        Ok(self.update_aml_status(case_id, status).await?)
    }
}

impl desk_core::ports::Workflows for DiditClient {
    async fn workflow_thresholds(
        &self,
        workflow_id: &str,
    ) -> Result<Option<desk_core::model::case::WorkflowThresholds>, SourceError> {
        Ok(DiditClient::workflow_thresholds(self, workflow_id).await?)
    }

    async fn list(&self) -> Result<Vec<WorkflowName>, SourceError> {
        Ok(DiditClient::workflows(self)
            .await?
            .into_iter()
            .map(|(id, name)| WorkflowName { id, name })
            .collect())
    }
}

impl desk_core::ports::QueueFilters for DiditClient {
    async fn in_review_matching(&self, filter: &QueueFilter) -> Result<Vec<String>, SourceError> {
        let query = SessionQuery {
            statuses: vec![CaseStatus::InReview],
            warning: filter.warning.clone(),
            country: filter.country.clone(),
            workflow_id: filter.workflow_id.clone(),
            limit: Some(100),
            ..Default::default()
        };
        let all = self.list_all_sessions(&query).await?;
        Ok(all.into_iter().map(|i| i.case_id).collect())
    }
}

impl desk_core::ports::PersonSessions for DiditClient {
    async fn sessions_of(
        &self,
        vendor_data: &str,
    ) -> Result<Vec<desk_core::model::case::QueueItem>, SourceError> {
        let query = SessionQuery {
            vendor_data: Some(vendor_data.to_owned()),
            limit: Some(50),
            ..Default::default()
        };
        Ok(self.list_sessions(&query).await?.items)
    }
}
