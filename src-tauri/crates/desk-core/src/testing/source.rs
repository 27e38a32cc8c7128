//! A provider in memory: cases with statuses, review feeds and a blocklist, faults queued
//! on its writes, a read budget.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::model::case::{CaseStatus, CaseSummary, QueueItem, ReviewEntry};
use crate::model::request::{BlocklistSelection, DecisionRequest};
use crate::ports::*;

use super::lock;

pub fn item(n: i64) -> QueueItem {
    QueueItem {
        case_id: format!("00000000-0000-4000-8000-{n:012}"),
        case_number: Some(n),
        status: CaseStatus::InReview,
        vendor_data: Some(format!("user-{n}")),
        full_name: None,
        country: Some("TUN".into()),
        document_type: None,
        created_at: Some(format!("2026-11-{:02}T00:00:00Z", n.clamp(1, 28))),
        checks: vec![],
    }
}

pub fn summary_of(q: &QueueItem, status: CaseStatus) -> CaseSummary {
    CaseSummary {
        case_number: q.case_number,
        vendor_data: q.vendor_data.clone(),
        created_at: q.created_at.clone(),
        ..CaseSummary::bare(q.case_id.clone(), status)
    }
}

/// What the next write does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFault {
    /// Refused before any effect.
    Fail(SourceError),
    /// Applied, then the answer is lost.
    LoseAnswer,
    /// Someone else decides the case just before our write lands.
    Compete(CaseStatus),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeCase {
    pub item: QueueItem,
    pub status: CaseStatus,
    pub feed: Vec<ReviewEntry>,
    /// Warning codes its decision carries (all of severity warning).
    pub warnings: Vec<String>,
    pub workflow_id: Option<String>,
}

/// The provider, in memory.
#[derive(Default)]
pub struct FakeSource {
    pub cases: Mutex<Vec<FakeCase>>,
    /// Every applied write, in order: (case id, what).
    pub applied: Mutex<Vec<(String, String)>>,
    pub blocklist: Mutex<Vec<(String, BlocklistSelection)>>,
    pub write_faults: Mutex<VecDeque<WriteFault>>,
    /// While true, every call fails as unreachable.
    pub offline: Mutex<bool>,
    /// AML hits per case, with their review status.
    pub aml_hits: Mutex<Vec<(String, crate::model::case::AmlHit)>>,
    /// The AML check's status per case, once set.
    pub aml_checks: Mutex<Vec<(String, String)>>,
    /// How many summaries were read.
    pub summary_reads: Mutex<usize>,
    /// How many times the in-review list was filtered.
    pub filter_reads: Mutex<usize>,
    /// Reads left in the current window, as `budget()` reports it (None: 1 of 2).
    pub reads_left: Mutex<Option<u32>>,
}

impl FakeSource {
    pub fn with_cases(n: i64) -> Self {
        let s = Self::default();
        for i in 1..=n {
            s.push_case(item(i));
        }
        s
    }

    /// Adds a case in review, with no warnings, workflow or review feed.
    pub fn push_case(&self, item: QueueItem) {
        lock(&self.cases).push(FakeCase {
            item,
            status: CaseStatus::InReview,
            feed: vec![],
            warnings: vec![],
            workflow_id: None,
        });
    }

    /// Gives case `n` these warnings and this workflow.
    pub fn shape(&self, n: i64, warnings: &[&str], workflow_id: Option<&str>) {
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cases.iter_mut().find(|c| c.item.case_number == Some(n)) {
            c.warnings = warnings.iter().map(|w| (*w).to_owned()).collect();
            c.workflow_id = workflow_id.map(str::to_owned);
        }
    }

    fn reachable(&self) -> Result<(), SourceError> {
        if *self.offline.lock().unwrap_or_else(|e| e.into_inner()) {
            Err(SourceError::Unavailable("offline".into()))
        } else {
            Ok(())
        }
    }

    pub fn status(&self, case_id: &str) -> Option<CaseStatus> {
        self.cases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|c| c.item.case_id == case_id)
            .map(|c| c.status.clone())
    }

    /// Another reviewer decides a case in the provider's console.
    pub fn compete(&self, case_id: &str, status: CaseStatus) {
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cases.iter_mut().find(|c| c.item.case_id == case_id) {
            c.feed.push(ReviewEntry {
                actor: "other@dhmad.tn".into(),
                actor_type: Some("CONSOLE_USER".into()),
                activity_type: Some("STATUS_UPDATED".into()),
                previous_status: Some(c.status.clone()),
                new_status: Some(status.clone()),
                comment: Some("decided in the console".into()),
                at: Some("2026-11-23T09:00:00Z".into()),
            });
            c.status = status;
        }
    }

    fn next_fault(&self) -> Option<WriteFault> {
        self.write_faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }
}

/// The fake plays Didit for bare ids and a VerifyHQ-like provider for `verifyhq:` ones.
const FAKE_VERIFYHQ: &str = "verifyhq:";

impl CaseSource for FakeSource {
    fn provider_of(&self, case_id: &str) -> crate::provider::Provider {
        if case_id.starts_with(FAKE_VERIFYHQ) {
            crate::provider::Provider::VerifyHq
        } else {
            crate::provider::Provider::Didit
        }
    }

    fn capabilities_of(&self, case_id: &str) -> crate::provider::Capabilities {
        let didit = self.provider_of(case_id) == crate::provider::Provider::Didit;
        crate::provider::Capabilities {
            blocklist: didit,
            aml_hits: didit,
            redo_steps: didit,
            resubmit_starts_anew: !didit,
            resubmit_keeps_token: didit,
            notes_required: !didit,
            notify_email: didit,
            step_details: didit,
        }
    }

    async fn in_review(&self, progress: Progress<'_>) -> Result<Vec<QueueItem>, SourceError> {
        self.reachable()?;
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let all: Vec<QueueItem> = cases
            .iter()
            .filter(|c| c.status == CaseStatus::InReview)
            .map(|c| c.item.clone())
            .collect();
        progress(all.len(), Some(all.len()));
        Ok(all)
    }

    async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
        self.reachable()?;
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let mut summary = cases
            .iter()
            .find(|c| c.item.case_id == case_id)
            .map(|c| {
                let mut summary = summary_of(&c.item, c.status.clone());
                summary.workflow_id = c.workflow_id.clone();
                summary.warnings = c
                    .warnings
                    .iter()
                    .map(|code| crate::model::case::Warning {
                        check: "ID_VERIFICATION".into(),
                        code: code.clone(),
                        severity: crate::model::case::Severity::Warning,
                        short_description: code.clone(),
                        long_description: String::new(),
                        step: None,
                        context: Default::default(),
                    })
                    .collect();
                summary
            })
            .ok_or_else(|| SourceError::NotFound(case_id.into()))?;
        *lock(&self.summary_reads) += 1;
        summary.aml_hits = lock(&self.aml_hits)
            .iter()
            .filter(|(c, _)| c == case_id)
            .map(|(_, h)| h.clone())
            .collect();
        if let Some((_, status)) = lock(&self.aml_checks).iter().find(|(c, _)| c == case_id) {
            summary.checks.push(crate::model::case::Check {
                kind: crate::model::case::CheckKind::Aml,
                step: "feature_aml_1".into(),
                status: crate::model::case::CheckStatus::from(status.as_str()),
                score: None,
                facts: vec![],
            });
        }
        Ok(summary)
    }

    async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
        self.reachable()?;
        let fault = self.next_fault();
        if let Some(WriteFault::Fail(e)) = fault {
            return Err(e);
        }
        if let Some(WriteFault::Compete(status)) = &fault {
            self.compete(&request.case_id, status.clone());
        }
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let case = cases
            .iter_mut()
            .find(|c| c.item.case_id == request.case_id)
            .ok_or_else(|| SourceError::NotFound("Not found.".into()))?;
        let new = request.verdict.status();
        if case.status == new {
            return Err(SourceError::Rejected(
                "The new status is the same as the current status.".into(),
            ));
        }
        case.feed.push(ReviewEntry {
            actor: "API".into(),
            actor_type: Some("API_KEY".into()),
            activity_type: Some("STATUS_UPDATED".into()),
            previous_status: Some(case.status.clone()),
            new_status: Some(new.clone()),
            comment: request.comment.clone(),
            at: Some("2026-11-23T10:00:00Z".into()),
        });
        case.status = new;
        self.applied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((
                request.case_id.clone(),
                request.comment.clone().unwrap_or_default(),
            ));
        if fault == Some(WriteFault::LoseAnswer) {
            return Err(SourceError::OutcomeUnknown("the answer was lost".into()));
        }
        Ok(())
    }

    async fn reviews(&self, case_id: &str) -> Result<Vec<ReviewEntry>, SourceError> {
        self.reachable()?;
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        cases
            .iter()
            .find(|c| c.item.case_id == case_id)
            .map(|c| c.feed.clone())
            .ok_or_else(|| SourceError::NotFound(case_id.into()))
    }

    fn budgets(&self) -> Vec<RateBudget> {
        let left = *lock(&self.reads_left);
        vec![RateBudget {
            provider: crate::provider::Provider::Didit,
            shared: false,
            reads_left: left.unwrap_or(1),
            reads_limit: if left.is_some() { 600 } else { 2 },
            writes_left: 3,
            writes_limit: 4,
        }]
    }

    fn blocklists(&self) -> Option<&impl crate::ports::Blocklists> {
        Some(self)
    }

    fn aml_reviews(&self) -> Option<&impl crate::ports::AmlReviews> {
        Some(self)
    }

    fn workflows(&self) -> Option<&impl crate::ports::Workflows> {
        Some(self)
    }

    fn queue_filters(&self) -> Option<&impl crate::ports::QueueFilters> {
        Some(self)
    }

    fn person_sessions(&self) -> Option<&impl crate::ports::PersonSessions> {
        Some(self)
    }
}

impl crate::ports::Blocklists for FakeSource {
    async fn blocklist(
        &self,
        case_id: &str,
        add: bool,
        items: BlocklistSelection,
    ) -> Result<(), SourceError> {
        self.reachable()?;
        let fault = self.next_fault();
        if let Some(WriteFault::Fail(e)) = fault {
            return Err(e);
        }
        let mut list = self.blocklist.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|(c, _)| c != case_id);
        if add {
            list.push((case_id.to_owned(), items));
        }
        self.applied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((
                case_id.to_owned(),
                if add {
                    "blocklist-add"
                } else {
                    "blocklist-remove"
                }
                .into(),
            ));
        if fault == Some(WriteFault::LoseAnswer) {
            return Err(SourceError::OutcomeUnknown("the answer was lost".into()));
        }
        Ok(())
    }

    async fn blocklisted(&self, case_id: &str) -> Result<BlocklistSelection, SourceError> {
        self.reachable()?;
        Ok(self
            .blocklist
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(c, _)| c == case_id)
            .map(|(_, s)| *s)
            .unwrap_or_default())
    }

    async fn blocklist_page(
        &self,
        kind: crate::model::blocklist::BlocklistKind,
        offset: u64,
    ) -> Result<crate::model::blocklist::BlocklistPage, SourceError> {
        use crate::model::blocklist::{BlocklistEntry, BlocklistKind, BLOCKLIST_PAGE};
        self.reachable()?;
        let list = self.blocklist.lock().unwrap_or_else(|e| e.into_inner());
        let matching: Vec<BlocklistEntry> = list
            .iter()
            .rev()
            .filter(|(_, items)| match kind {
                BlocklistKind::Face => items.face,
                BlocklistKind::Document => items.document,
                BlocklistKind::Phone => items.phone,
                BlocklistKind::Email => items.email,
            })
            .map(|(case_id, _)| {
                let n = case_id
                    .rsplit('-')
                    .next()
                    .and_then(|t| t.parse::<i64>().ok());
                let n = n.unwrap_or(0);
                BlocklistEntry {
                    kind,
                    case_id: Some(case_id.clone()),
                    case_number: Some(n),
                    blocklisted_at: None,
                    value: match kind {
                        BlocklistKind::Face => None,
                        BlocklistKind::Document => Some(format!("DOC{n:08}")),
                        BlocklistKind::Phone => Some(format!("+21655{n:06}")),
                        BlocklistKind::Email => Some(format!("user-{n}@example.test")),
                    },
                }
            })
            .collect();
        let total = matching.len() as u64;
        Ok(crate::model::blocklist::BlocklistPage {
            entries: matching
                .into_iter()
                .skip(offset as usize)
                .take(BLOCKLIST_PAGE as usize)
                .collect(),
            total: Some(total),
        })
    }
}

impl crate::ports::AmlReviews for FakeSource {
    async fn aml_hit_status(
        &self,
        case_id: &str,
        hit_id: &str,
        status: &str,
    ) -> Result<(), SourceError> {
        self.reachable()?;
        let fault = self.next_fault();
        if let Some(WriteFault::Fail(e)) = fault {
            return Err(e);
        }
        let mut hits = lock(&self.aml_hits);
        let hit = hits
            .iter_mut()
            .find(|(c, h)| c == case_id && h.hit_id.as_deref() == Some(hit_id))
            .ok_or_else(|| SourceError::NotFound("AML hit not found.".into()))?;
        hit.1.review_status = Some(status.to_owned());
        lock(&self.applied).push((case_id.to_owned(), format!("aml-hit {hit_id} {status}")));
        if fault == Some(WriteFault::LoseAnswer) {
            return Err(SourceError::OutcomeUnknown("the answer was lost".into()));
        }
        Ok(())
    }

    async fn aml_check_status(&self, case_id: &str, status: &str) -> Result<(), SourceError> {
        self.reachable()?;
        let fault = self.next_fault();
        if let Some(WriteFault::Fail(e)) = fault {
            return Err(e);
        }
        let mut checks = lock(&self.aml_checks);
        checks.retain(|(c, _)| c != case_id);
        checks.push((case_id.to_owned(), status.to_owned()));
        lock(&self.applied).push((case_id.to_owned(), format!("aml-check {status}")));
        if fault == Some(WriteFault::LoseAnswer) {
            return Err(SourceError::OutcomeUnknown("the answer was lost".into()));
        }
        Ok(())
    }
}

impl crate::ports::Workflows for FakeSource {
    async fn workflow_thresholds(
        &self,
        workflow_id: &str,
    ) -> Result<Option<crate::model::case::WorkflowThresholds>, SourceError> {
        self.reachable()?;
        Ok(
            (workflow_id == "wf-seller").then_some(crate::model::case::WorkflowThresholds {
                face_match: Some((35.0, 55.0)),
                liveness: None,
            }),
        )
    }

    async fn list(&self) -> Result<Vec<crate::ports::WorkflowName>, SourceError> {
        self.reachable()?;
        Ok(vec![
            crate::ports::WorkflowName {
                id: "wf-seller".into(),
                name: "Seller KYC".into(),
            },
            crate::ports::WorkflowName {
                id: "wf-payments".into(),
                name: "Payments KYC + AML".into(),
            },
        ])
    }
}

impl crate::ports::QueueFilters for FakeSource {
    async fn in_review_matching(
        &self,
        filter: &crate::ports::QueueFilter,
    ) -> Result<Vec<String>, SourceError> {
        self.reachable()?;
        *self.filter_reads.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        Ok(cases
            .iter()
            .filter(|c| c.status == CaseStatus::InReview)
            .filter(|c| {
                filter
                    .warning
                    .as_ref()
                    .is_none_or(|w| c.warnings.contains(w))
            })
            .filter(|c| filter.country.is_none() || c.item.country == filter.country)
            .filter(|c| filter.workflow_id.is_none() || c.workflow_id == filter.workflow_id)
            .map(|c| c.item.case_id.clone())
            .collect())
    }
}

impl crate::ports::PersonSessions for FakeSource {
    async fn sessions_of(&self, vendor_data: &str) -> Result<Vec<QueueItem>, SourceError> {
        self.reachable()?;
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        Ok(cases
            .iter()
            .filter(|c| c.item.vendor_data.as_deref() == Some(vendor_data))
            .map(|c| c.item.clone())
            .collect())
    }
}
