//! In-memory fakes of desk-core's ports, for use-case tests without HTTP or SQL: a provider
//! that keeps statuses, a review feed and a blocklist, and a store that keeps the queue,
//! summaries, the outbox and the audit chain. Faults can be queued on the provider.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::audit::{AuditDraft, AuditEntry};
use crate::claims::{Claim, ClaimStore, Hold};
use crate::desk::{Desk, Reviewer};
use crate::four_eyes::{Answer, AnswerRefused, FourEyes, FourEyesRule, SecondLook};
use crate::lookup::{Directory, LookupError, Verification};
use crate::model::action::{Action, ActionState};
use crate::model::case::{CaseStatus, CaseSummary, QueueItem, ReviewEntry};
use crate::model::request::{BlocklistSelection, DecisionRequest};
use crate::ports::*;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

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

impl CaseSource for FakeSource {
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

/// The store, in memory, with the same rules as the SQLite one (one open decision per case,
/// transitions only from the expected state, the audit chain sealed on append).
#[derive(Default)]
pub struct MemoryStore {
    pub queue: Mutex<(Vec<QueueItem>, Option<DateTime<Utc>>)>,
    pub summaries: Mutex<Vec<(CaseSummary, DateTime<Utc>)>>,
    pub actions: Mutex<Vec<Action>>,
    pub audit: Mutex<Vec<AuditEntry>>,
}

impl MemoryStore {
    fn seal(&self, draft: &AuditDraft) -> AuditEntry {
        let mut audit = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        let head = audit.last().map(|e| (e.seq, e.hash.clone()));
        let entry = AuditEntry::seal(draft.clone(), head.as_ref().map(|(s, h)| (*s, h.as_str())));
        audit.push(entry.clone());
        entry
    }
}

impl CaseCache for MemoryStore {
    async fn replace_queue(
        &self,
        items: &[QueueItem],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        *self.queue.lock().unwrap_or_else(|e| e.into_inner()) = (items.to_vec(), Some(at));
        Ok(())
    }
    async fn queue(&self) -> Result<(SharedQueue, Option<DateTime<Utc>>), StoreError> {
        let (items, at) = self.queue.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok((std::sync::Arc::new(items), at))
    }
    async fn queue_order(&self) -> Result<(Vec<String>, Option<DateTime<Utc>>), StoreError> {
        let (items, at) = self.queue.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok((items.into_iter().map(|i| i.case_id).collect(), at))
    }
    async fn unfetched(&self, limit: usize) -> Result<(Vec<QueueItem>, usize), StoreError> {
        let summaries = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let missing: Vec<&QueueItem> = queue
            .0
            .iter()
            .filter(|q| !summaries.iter().any(|(s, _)| s.case_id == q.case_id))
            .collect();
        let count = missing.len();
        Ok((missing.into_iter().take(limit).cloned().collect(), count))
    }
    async fn queue_items(&self, case_ids: &[String]) -> Result<Vec<QueueItem>, StoreError> {
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        Ok(queue
            .0
            .iter()
            .filter(|q| case_ids.contains(&q.case_id))
            .cloned()
            .collect())
    }
    async fn remove_from_queue(&self, case_id: &str) -> Result<(), StoreError> {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .retain(|q| q.case_id != case_id);
        Ok(())
    }
    async fn save_summary(
        &self,
        summary: &CaseSummary,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        s.retain(|(x, _)| x.case_id != summary.case_id);
        s.push((summary.clone(), at));
        Ok(())
    }
    async fn summary(
        &self,
        case_id: &str,
    ) -> Result<Option<(CaseSummary, DateTime<Utc>)>, StoreError> {
        Ok(self
            .summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(s, _)| s.case_id == case_id)
            .cloned())
    }
    async fn queue_after(
        &self,
        case_id: Option<&str>,
        count: usize,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let queue = self
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone();
        let start = case_id
            .and_then(|id| queue.iter().position(|q| q.case_id == id))
            .map_or(0, |p| p + 1);
        Ok(queue.into_iter().skip(start).take(count).collect())
    }
    async fn neighbour(&self, case_id: &str) -> Result<Option<String>, StoreError> {
        let queue = self
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone();
        let next = match queue.iter().position(|q| q.case_id == case_id) {
            Some(p) => queue
                .get(p + 1)
                .or_else(|| p.checked_sub(1).and_then(|q| queue.get(q))),
            None => queue.first(),
        };
        Ok(next.map(|q| q.case_id.clone()))
    }
    async fn cases_with_warning(&self, code: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(s, _)| s.warnings.iter().any(|w| w.code == code))
            .map(|(s, _)| s.case_id.clone())
            .collect())
    }

    async fn created_at_all(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter_map(|(s, _)| Some((s.case_id.clone(), s.created_at.clone()?)))
            .collect())
    }

    async fn queued_facts(&self) -> Result<Vec<crate::model::case::CaseFacts>, StoreError> {
        Ok(self
            .queued_summaries()
            .await?
            .iter()
            .map(crate::model::case::CaseFacts::of)
            .collect())
    }

    async fn queued_summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let queue = self
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone();
        Ok(self
            .summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(s, _)| queue.iter().any(|q| q.case_id == s.case_id))
            .map(|(s, _)| s.clone())
            .collect())
    }
}

impl OutboxStore for MemoryStore {
    async fn enqueue(&self, action: &Action, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        let mut actions = self.actions.lock().unwrap_or_else(|e| e.into_inner());
        if action.kind.is_decision() {
            if let Some(open) = actions
                .iter()
                .find(|a| a.case_id == action.case_id && a.kind.is_decision() && a.state.is_open())
            {
                return Err(StoreError::AlreadyPending(open.id.clone()));
            }
        }
        actions.push(action.clone());
        drop(actions);
        Ok(self.seal(audit))
    }

    async fn transition(
        &self,
        expected: ActionState,
        next: &Action,
        audit: &AuditDraft,
    ) -> Result<AuditEntry, StoreError> {
        let mut actions = self.actions.lock().unwrap_or_else(|e| e.into_inner());
        let slot = actions
            .iter_mut()
            .find(|a| a.id == next.id)
            .ok_or_else(|| StoreError::Stale("known".into()))?;
        if slot.state != expected {
            return Err(StoreError::Stale(expected.as_str().into()));
        }
        *slot = next.clone();
        drop(actions);
        Ok(self.seal(audit))
    }

    async fn action(&self, id: &str) -> Result<Option<Action>, StoreError> {
        Ok(self
            .actions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|a| a.id == id)
            .cloned())
    }

    async fn actions(&self, open_only: bool) -> Result<Vec<Action>, StoreError> {
        Ok(self
            .actions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|a| !open_only || a.state.is_open())
            .cloned()
            .collect())
    }
}

impl AuditLog for MemoryStore {
    async fn append_audit(&self, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        Ok(self.seal(audit))
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|e| e.seq > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn audit_max_seq(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|e| e.seq)
            .max())
    }

    async fn case_audit(&self, case_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|e| e.draft.case_id == case_id)
            .cloned()
            .collect())
    }
}

/// A clock tests move by hand.
pub struct ManualClock(pub Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn at(text: &str) -> Self {
        Self(Mutex::new(
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        ))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sequential ids: a1, a2, … and tokens t00001, t00002, …
#[derive(Default)]
pub struct CountingIds(pub std::sync::atomic::AtomicU64);

impl Ids for CountingIds {
    fn action_id(&self) -> String {
        format!(
            "a{}",
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        )
    }
    fn token(&self) -> String {
        format!(
            "t{:05}",
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        )
    }
}

pub type TestDesk = Desk<FakeSource, MemoryStore, ManualClock>;

/// A desk over `n` fake cases in review, reviewer Amira, page size 2, fixed clock.
pub fn desk(n: i64) -> TestDesk {
    let mut d = Desk::new(
        FakeSource::with_cases(n),
        MemoryStore::default(),
        ManualClock::at("2026-11-29T12:00:00Z"),
        Reviewer {
            name: "Amira Ben Salah".into(),
            email: "amira@dhmad.tn".into(),
        },
    );
    d.ids = Box::new(CountingIds::default());
    d
}

/// DHMAD in memory: records, and the error the next call answers with.
#[derive(Default)]
pub struct FakeDirectory {
    pub records: Vec<Verification>,
    pub fail: Mutex<Option<LookupError>>,
    pub invites: Mutex<Vec<String>>,
}

impl FakeDirectory {
    fn failing(&self) -> Result<(), LookupError> {
        match lock(&self.fail).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Directory for FakeDirectory {
    async fn by_email(&self, email: &str) -> Result<Vec<Verification>, LookupError> {
        self.failing()?;
        Ok(self
            .records
            .iter()
            .filter(|r| r.email == email)
            .cloned()
            .collect())
    }
    async fn by_id(&self, id: &str) -> Result<Verification, LookupError> {
        self.failing()?;
        self.records
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| LookupError::NotFound("Verification not found".into()))
    }
    async fn invite(&self, email: &str) -> Result<String, LookupError> {
        self.failing()?;
        lock(&self.invites).push(email.to_owned());
        Ok("Verification email re-sent to the user.".into())
    }
}

/// A DHMAD verification of `email`, approved; `linked` to a DHMAD account or not.
pub fn verification(id: &str, email: &str, linked: bool) -> Verification {
    Verification {
        id: id.into(),
        email: email.into(),
        external_user_id: Some("user-2".into()),
        kyc_status: "approved".into(),
        didit_session_status: Some("completed".into()),
        needs_admin_review: false,
        claim_status: Some(if linked { "linked" } else { "pending" }.into()),
        linked_user_id: linked.then(|| "65f0c1d2e3a4b5c6d7e8f901".into()),
        linked_at: linked.then(|| "2026-11-20T10:00:00Z".into()),
        verification_email_sent: true,
        verification_email_sent_at: Some("2026-11-19T10:00:00Z".into()),
        created_at: Some("2026-11-19T10:00:00Z".into()),
        updated_at: None,
        expires_at: Some("2027-02-17T10:00:00Z".into()),
    }
}

/// A team store in memory: who holds which case, the four-eyes rules and questions; can
/// be made unreachable.
#[derive(Default)]
pub struct FakeTeam {
    pub holders: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub away: std::sync::Mutex<bool>,
    pub rules: std::sync::Mutex<Vec<FourEyesRule>>,
    pub looks: std::sync::Mutex<Vec<SecondLook>>,
}

impl FourEyes for FakeTeam {
    async fn policy(&self) -> Result<Vec<FourEyesRule>, StoreError> {
        Ok(self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    async fn set_policy(&self, rules: &[FourEyesRule]) -> Result<(), StoreError> {
        *self.rules.lock().unwrap_or_else(|e| e.into_inner()) = rules.to_vec();
        Ok(())
    }
    async fn ask(&self, look: &SecondLook) -> Result<(), StoreError> {
        let mut looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        if !looks.iter().any(|l| l.action_id == look.action_id) {
            looks.push(look.clone());
        }
        Ok(())
    }
    async fn answer_of(&self, action_id: &str) -> Result<Option<Answer>, StoreError> {
        let looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        Ok(looks
            .iter()
            .find(|l| l.action_id == action_id)
            .and_then(|l| l.answer.clone()))
    }
    async fn answer(
        &self,
        action_id: &str,
        answer: &Answer,
    ) -> Result<Result<SecondLook, AnswerRefused>, StoreError> {
        use AnswerRefused as R;
        let mut looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        let Some(look) = looks.iter_mut().find(|l| l.action_id == action_id) else {
            return Ok(Err(R::Unknown(action_id.into())));
        };
        if look.requested_by == answer.by {
            return Ok(Err(R::OwnAction));
        }
        if let Some(a) = &look.answer {
            return Ok(Err(R::Answered(a.by.clone())));
        }
        look.answer = Some(answer.clone());
        Ok(Ok(look.clone()))
    }
    async fn pending(&self) -> Result<Vec<SecondLook>, StoreError> {
        let looks = self.looks.lock().unwrap_or_else(|e| e.into_inner());
        Ok(looks
            .iter()
            .filter(|l| l.answer.is_none())
            .cloned()
            .collect())
    }
}

impl ClaimStore for FakeTeam {
    async fn claim_first(
        &self,
        _: &[String],
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn release(&self, case_id: &str, holder: &str) -> Result<bool, StoreError> {
        let mut h = self.holders.lock().unwrap_or_else(|e| e.into_inner());
        if h.get(case_id).map(String::as_str) == Some(holder) {
            h.remove(case_id);
            return Ok(true);
        }
        Ok(false)
    }
    async fn hold(
        &self,
        case_id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> Result<Hold, StoreError> {
        if *self.away.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(StoreError::Unreachable("connection refused".into()));
        }
        let mut h = self.holders.lock().unwrap_or_else(|e| e.into_inner());
        let who = h
            .entry(case_id.into())
            .or_insert_with(|| holder.into())
            .clone();
        let claim = Claim {
            case_id: case_id.into(),
            holder: who.clone(),
            claimed_at: until.to_rfc3339(),
            expires_at: until.to_rfc3339(),
        };
        Ok(if who == holder {
            Hold::Held(claim)
        } else {
            Hold::HeldBy(claim)
        })
    }
    async fn release_any(&self, _: &str) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn claims(&self) -> Result<Vec<Claim>, StoreError> {
        Ok(Vec::new())
    }
}
