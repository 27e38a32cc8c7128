//! The review loop: sync the queue of cases awaiting review, open a case, decide it. Every
//! decision goes through `Desk::decide`, the one action path (the next step makes it a
//! crash-safe outbox). The provider and the store are ports, implemented by adapter crates.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, DecisionRequest};
use crate::case::{CaseStatus, CaseSummary, QueueItem, Severity};

/// What can go wrong talking to the provider, in terms the desk acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the API key was refused: {0}")]
    Unauthorized(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("the provider refused: {0}")]
    Rejected(String),
    #[error("rate limited; try again later")]
    RateLimited,
    #[error("the provider cannot be reached: {0}")]
    Unavailable(String),
    /// A write may or may not have been applied.
    #[error("no answer; the action may have been applied: {0}")]
    OutcomeUnknown(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the local database failed: {0}")]
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error("this case was decided elsewhere meanwhile: it is now {0}")]
    Conflict(String),
}

/// One page of cases in review.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePage {
    pub items: Vec<QueueItem>,
    pub total: Option<u64>,
    pub next_offset: Option<u64>,
}

/// The verification provider (Didit today).
pub trait CaseSource: Send + Sync {
    fn in_review_page(
        &self,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<SourcePage, SourceError>> + Send;
    fn summary(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<CaseSummary, SourceError>> + Send;
    fn decide(
        &self,
        request: &DecisionRequest,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Every session of one vendor_data (the person's earlier attempts), any status.
    fn sessions_of(
        &self,
        vendor_data: &str,
    ) -> impl Future<Output = Result<Vec<QueueItem>, SourceError>> + Send;
    /// Requests left in the provider's current rate windows, if the source tracks them.
    fn budget(&self) -> Option<RateBudget> {
        None
    }
}

/// Requests left in the current 60-second windows, per kind, and the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RateBudget {
    pub reads_left: u32,
    pub reads_limit: u32,
    pub writes_left: u32,
    pub writes_limit: u32,
    pub decisions_left: u32,
    pub decisions_limit: u32,
}

/// A line of the local case history (reveals, decisions), also the local audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub case_id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

/// The local store: the cached queue, fetched summaries, case history.
pub trait CaseStore: Send + Sync {
    /// Replaces the cached queue with `items`, fetched at `at`.
    fn replace_queue(
        &self,
        items: &[QueueItem],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn queue(
        &self,
    ) -> impl Future<Output = Result<(Vec<QueueItem>, Option<DateTime<Utc>>), StoreError>> + Send;
    fn remove_from_queue(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn save_summary(
        &self,
        summary: &CaseSummary,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn summary(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Option<(CaseSummary, DateTime<Utc>)>, StoreError>> + Send;
    /// Up to `count` queued cases after `case_id` (from the start when it is `None` or not
    /// queued), in queue order.
    fn queue_after(
        &self,
        case_id: Option<&str>,
        count: usize,
    ) -> impl Future<Output = Result<Vec<QueueItem>, StoreError>> + Send;
    /// The case to open once `case_id` leaves the queue: the next one in order, else the
    /// previous one; the first case when `case_id` is not queued.
    fn neighbour(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Every cached summary of a case still in the queue.
    fn queued_summaries(&self)
        -> impl Future<Output = Result<Vec<CaseSummary>, StoreError>> + Send;
    fn append_history(
        &self,
        entry: &HistoryEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn history(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Vec<HistoryEntry>, StoreError>> + Send;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Who is reviewing: stamped into every comment sent to the provider, so its own review log
/// shows who decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    pub name: String,
    pub email: String,
}

impl Reviewer {
    pub fn stamp(&self, comment: Option<&str>) -> String {
        let who = format!("[Review Desk: {} <{}>]", self.name, self.email);
        match comment.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => format!("{who} {c}"),
            None => who,
        }
    }
}

/// How late a case is against the review SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Due {
    /// Minutes left before the SLA is breached.
    Left(i64),
    /// Minutes past the SLA.
    Late(i64),
}

impl Due {
    pub fn of(created_at: DateTime<Utc>, sla: Duration, now: DateTime<Utc>) -> Self {
        let deadline = created_at + sla;
        if now <= deadline {
            Due::Left((deadline - now).num_minutes())
        } else {
            Due::Late((now - deadline).num_minutes())
        }
    }

    /// "3 h left", "2 h late", "45 min left".
    pub fn label(self) -> String {
        let (minutes, word) = match self {
            Due::Left(m) => (m, "left"),
            Due::Late(m) => (m, "late"),
        };
        if minutes >= 60 {
            format!("{} h {word}", minutes / 60)
        } else {
            format!("{minutes} min {word}")
        }
    }
}

/// Where the queue sync stands, for the status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub running: bool,
    /// Cases fetched so far in the running (or last) sync.
    pub fetched: u32,
    /// How many the provider said there are.
    pub total: Option<u32>,
    /// Why the last sync failed; cleared by a successful one.
    pub last_error: Option<String>,
}

/// Result of a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub in_review: usize,
    pub dropped: usize,
}

/// After a decision: what happened and which case to open next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub case_id: String,
    pub next_case_id: Option<String>,
}

/// The review loop over a provider, a store and a clock.
pub struct Desk<S, T, C> {
    pub source: S,
    pub store: T,
    pub clock: C,
    pub reviewer: Reviewer,
    /// Page size used to sync the queue.
    pub page_size: u32,
    /// A summary younger than this is served from the cache.
    pub summary_ttl: Duration,
    status: std::sync::Mutex<SyncStatus>,
}

impl<S: CaseSource, T: CaseStore, C: Clock> Desk<S, T, C> {
    pub fn new(source: S, store: T, clock: C, reviewer: Reviewer) -> Self {
        Self {
            source,
            store,
            clock,
            reviewer,
            page_size: 100,
            summary_ttl: Duration::minutes(5),
            status: std::sync::Mutex::new(SyncStatus::default()),
        }
    }

    fn update_status(&self, change: impl FnOnce(&mut SyncStatus)) {
        change(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Where the queue sync stands.
    pub fn sync_status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Fetches every case in review and replaces the cached queue; cases decided elsewhere
    /// drop out. Progress and the outcome are kept for `sync_status`.
    pub async fn sync(&self) -> Result<SyncReport, DeskError> {
        self.update_status(|s| {
            s.running = true;
            s.fetched = 0;
            s.total = None;
        });
        let result = self.fetch_queue().await;
        self.update_status(|s| {
            s.running = false;
            s.last_error = result.as_ref().err().map(ToString::to_string);
        });
        result
    }

    async fn fetch_queue(&self) -> Result<SyncReport, DeskError> {
        use futures_util::{StreamExt, TryStreamExt};
        let (before, _) = self.store.queue().await?;
        let first = self.source.in_review_page(0, self.page_size).await?;
        let mut items = first.items;
        let total = first.total.unwrap_or(0);
        let fetched = items.len() as u32;
        self.update_status(|s| {
            s.fetched = fetched;
            s.total = first.total.map(|t| t as u32);
        });
        if first.next_offset.is_some() && total > items.len() as u64 {
            // The count says how many pages remain: fetch them a few at a time. The client's
            // rate limiter keeps the pace within the provider's quota.
            let offsets: Vec<u64> = (1..)
                .map(|p| p * u64::from(self.page_size))
                .take_while(|o| *o < total)
                .collect();
            let pages: Vec<SourcePage> = futures_util::stream::iter(offsets)
                .map(|offset| self.source.in_review_page(offset, self.page_size))
                .buffered(4)
                .inspect_ok(|page| self.update_status(|s| s.fetched += page.items.len() as u32))
                .try_collect()
                .await?;
            items.extend(pages.into_iter().flat_map(|p| p.items));
        }
        items.retain(|i| i.status == CaseStatus::InReview);
        items.sort_by_key(|i| (i.created_at.clone(), i.case_number));
        // Offset pages can overlap while new sessions arrive: keep each case once.
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| seen.insert(i.case_id.clone()));
        let kept: std::collections::HashSet<&str> =
            items.iter().map(|i| i.case_id.as_str()).collect();
        let dropped = before
            .iter()
            .filter(|b| !kept.contains(b.case_id.as_str()))
            .count();
        self.store.replace_queue(&items, self.clock.now()).await?;
        Ok(SyncReport {
            in_review: items.len(),
            dropped,
        })
    }

    /// The cached queue, oldest first, and when it was fetched.
    pub async fn queue(&self) -> Result<(Vec<QueueItem>, Option<DateTime<Utc>>), DeskError> {
        Ok(self.store.queue().await?)
    }

    /// The queue as the table shows it: masked, with due tags and known warnings.
    pub async fn queue_view(&self, sla: Duration) -> Result<crate::ipc::QueueView, DeskError> {
        let (items, synced_at) = self.store.queue().await?;
        let summaries = self
            .store
            .queued_summaries()
            .await?
            .into_iter()
            .map(|s| (s.case_id.clone(), s))
            .collect();
        let mut view =
            crate::ipc::QueueView::build(&items, &summaries, synced_at, self.clock.now(), sla);
        view.rate_budget = self.source.budget();
        Ok(view)
    }

    /// Queue cases matching `text`: a session number, part of a vendor_data (searched unmasked,
    /// here in the backend), or a warning code of a fetched case.
    pub async fn search(&self, text: &str) -> Result<Vec<String>, DeskError> {
        let needle = text.trim().to_lowercase();
        let (items, _) = self.store.queue().await?;
        if needle.is_empty() {
            return Ok(items.into_iter().map(|i| i.case_id).collect());
        }
        let warned: std::collections::HashSet<String> = self
            .store
            .queued_summaries()
            .await?
            .into_iter()
            .filter(|s| {
                s.warnings
                    .iter()
                    .any(|w| w.code.to_lowercase().contains(&needle))
            })
            .map(|s| s.case_id)
            .collect();
        Ok(items
            .into_iter()
            .filter(|i| {
                i.case_number
                    .is_some_and(|n| n.to_string().starts_with(&needle))
                    || i.vendor_data
                        .as_deref()
                        .is_some_and(|v| v.to_lowercase().contains(&needle))
                    || warned.contains(&i.case_id)
            })
            .map(|i| i.case_id)
            .collect())
    }

    /// A case as the reviewer sees it (masked), with its local history and the person's other
    /// sessions. Those are a courtesy: if they cannot be fetched the case still opens.
    pub async fn case_view(&self, case_id: &str) -> Result<crate::ipc::CaseView, DeskError> {
        let (summary, at) = self.open(case_id).await?;
        let history = self.store.history(case_id).await?;
        let others = match summary.vendor_data.as_deref() {
            Some(vendor) => self
                .source
                .sessions_of(vendor)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "could not list the person's other sessions");
                    Vec::new()
                }),
            None => Vec::new(),
        };
        let others = others
            .into_iter()
            .filter(|o| o.case_id != summary.case_id)
            .collect();
        Ok(crate::ipc::CaseView::build(summary, at, history, others))
    }

    /// Records why, then returns the unmasked value of a document field.
    pub async fn reveal_value(
        &self,
        case_id: &str,
        field: crate::ipc::RevealField,
        reason: &str,
    ) -> Result<Option<String>, DeskError> {
        let label = match field {
            crate::ipc::RevealField::DocumentNumber => "document number",
            crate::ipc::RevealField::DateOfBirth => "date of birth",
        };
        self.reveal(case_id, label, reason).await?;
        let (summary, _) = self.open(case_id).await?;
        Ok(summary.documents.first().and_then(|d| match field {
            crate::ipc::RevealField::DocumentNumber => d.document_number.clone(),
            crate::ipc::RevealField::DateOfBirth => d.date_of_birth.clone(),
        }))
    }

    /// A case's summary: from the cache when fresh, else from the provider (and cached).
    pub async fn open(&self, case_id: &str) -> Result<(CaseSummary, DateTime<Utc>), DeskError> {
        crate::action::validate_case_id(case_id)?;
        if let Some((summary, at)) = self.store.summary(case_id).await? {
            if self.clock.now() - at < self.summary_ttl {
                return Ok((summary, at));
            }
        }
        self.fetch(case_id).await
    }

    async fn fetch(&self, case_id: &str) -> Result<(CaseSummary, DateTime<Utc>), DeskError> {
        let summary = self.source.summary(case_id).await?;
        let at = self.clock.now();
        self.store.save_summary(&summary, at).await?;
        Ok((summary, at))
    }

    /// Fetches the summaries of the next `count` cases after `case_id` that are not cached.
    pub async fn prefetch_after(
        &self,
        case_id: Option<&str>,
        count: usize,
    ) -> Result<usize, DeskError> {
        let mut fetched = 0;
        for item in self.store.queue_after(case_id, count).await? {
            let fresh = match self.store.summary(&item.case_id).await? {
                Some((_, at)) => self.clock.now() - at < self.summary_ttl,
                None => false,
            };
            if !fresh {
                self.fetch(&item.case_id).await?;
                fetched += 1;
            }
        }
        Ok(fetched)
    }

    /// The one action path for decisions: validate, re-check the case is still in review,
    /// stamp the reviewer, apply at the provider, record it, and name the next case.
    pub async fn decide(&self, request: DecisionRequest) -> Result<Decided, DeskError> {
        request.validate()?;
        let requires_comment = matches!(
            request.verdict,
            crate::case::Verdict::Decline | crate::case::Verdict::Resubmit
        );
        if requires_comment
            && request
                .comment
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            return Err(ActionError::CommentRequired(
                if request.verdict == crate::case::Verdict::Decline {
                    "decline"
                } else {
                    "resubmission"
                },
            )
            .into());
        }
        let current = self.source.summary(&request.case_id).await?;
        if current.status != CaseStatus::InReview {
            self.store.remove_from_queue(&request.case_id).await?;
            self.record(
                &request.case_id,
                "conflict",
                &format!("already {}", current.status),
            )
            .await?;
            return Err(DeskError::Conflict(current.status.to_string()));
        }
        let stamped = DecisionRequest {
            comment: Some(self.reviewer.stamp(request.comment.as_deref())),
            ..request
        };
        stamped.validate()?;
        self.source.decide(&stamped).await?;
        let verdict = format!("{:?}", stamped.verdict).to_lowercase();
        self.record(
            &stamped.case_id,
            &verdict,
            stamped.comment.as_deref().unwrap_or_default(),
        )
        .await?;
        let next_case_id = self.store.neighbour(&stamped.case_id).await?;
        self.store.remove_from_queue(&stamped.case_id).await?;
        Ok(Decided {
            case_id: stamped.case_id,
            next_case_id,
        })
    }

    /// Writes a reason for revealing a masked field to the case's local history.
    pub async fn reveal(&self, case_id: &str, field: &str, reason: &str) -> Result<(), DeskError> {
        crate::action::validate_case_id(case_id)?;
        let reason = reason.trim();
        if reason.chars().count() < 3 || reason.chars().count() > 500 {
            return Err(ActionError::CommentRequired("reveal (3 to 500 characters)").into());
        }
        self.record(case_id, "reveal", &format!("{field}: {reason}"))
            .await
    }

    async fn record(&self, case_id: &str, kind: &str, detail: &str) -> Result<(), DeskError> {
        let entry = HistoryEntry {
            case_id: case_id.to_owned(),
            at: self.clock.now(),
            actor: self.reviewer.email.clone(),
            kind: kind.to_owned(),
            detail: detail.to_owned(),
        };
        Ok(self.store.append_history(&entry).await?)
    }
}

/// The most serious warning codes of a summary, for the queue's "top warnings" column.
pub fn top_warnings(summary: &CaseSummary, count: usize) -> Vec<String> {
    let mut codes: Vec<(Severity, &str)> = summary
        .warnings
        .iter()
        .map(|w| (w.severity, w.code.as_str()))
        .collect();
    codes.sort();
    codes.dedup_by(|a, b| a.1 == b.1);
    codes
        .into_iter()
        .take(count)
        .map(|(_, c)| c.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Verdict;
    use std::sync::Mutex;

    fn item(n: i64) -> QueueItem {
        QueueItem {
            case_id: format!("00000000-0000-4000-8000-{n:012}"),
            case_number: Some(n),
            status: CaseStatus::InReview,
            vendor_data: Some(format!("user-{n}")),
            full_name: None,
            country: Some("TUN".into()),
            document_type: None,
            created_at: Some(format!("2026-11-2{n}T00:00:00Z")),
            checks: vec![],
        }
    }

    fn summary_of(q: &QueueItem, status: CaseStatus) -> CaseSummary {
        CaseSummary {
            case_id: q.case_id.clone(),
            case_number: q.case_number,
            status,
            workflow_id: None,
            vendor_data: q.vendor_data.clone(),
            created_at: q.created_at.clone(),
            checks: vec![],
            warnings: vec![],
            documents: vec![],
            mismatches: vec![],
            aml_hits: vec![],
            ip: vec![],
            contacts: vec![],
            related: vec![],
            steps: vec![],
            reviews: vec![],
        }
    }

    /// The provider, in memory: statuses per case and the decisions it received.
    #[derive(Default)]
    struct FakeSource {
        cases: Mutex<Vec<(QueueItem, CaseStatus)>>,
        decided: Mutex<Vec<DecisionRequest>>,
    }

    impl CaseSource for FakeSource {
        async fn in_review_page(&self, offset: u64, limit: u32) -> Result<SourcePage, SourceError> {
            let cases = self.cases.lock().unwrap();
            let all: Vec<QueueItem> = cases
                .iter()
                .filter(|(_, s)| *s == CaseStatus::InReview)
                .map(|(q, _)| q.clone())
                .collect();
            let items: Vec<QueueItem> = all
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect();
            let next = offset + items.len() as u64;
            Ok(SourcePage {
                total: Some(all.len() as u64),
                next_offset: (next < all.len() as u64).then_some(next),
                items,
            })
        }

        async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
            let cases = self.cases.lock().unwrap();
            cases
                .iter()
                .find(|(q, _)| q.case_id == case_id)
                .map(|(q, s)| summary_of(q, s.clone()))
                .ok_or_else(|| SourceError::NotFound(case_id.into()))
        }

        fn budget(&self) -> Option<RateBudget> {
            Some(RateBudget {
                reads_left: 1,
                reads_limit: 2,
                writes_left: 3,
                writes_limit: 4,
                decisions_left: 7,
                decisions_limit: 8,
            })
        }

        async fn sessions_of(&self, vendor_data: &str) -> Result<Vec<QueueItem>, SourceError> {
            let cases = self.cases.lock().unwrap();
            Ok(cases
                .iter()
                .filter(|(q, _)| q.vendor_data.as_deref() == Some(vendor_data))
                .map(|(q, _)| q.clone())
                .collect())
        }

        async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
            let mut cases = self.cases.lock().unwrap();
            if let Some(c) = cases.iter_mut().find(|(q, _)| q.case_id == request.case_id) {
                c.1 = request.verdict.status();
            }
            self.decided.lock().unwrap().push(request.clone());
            Ok(())
        }
    }

    #[derive(Default)]
    struct MemoryStore {
        queue: Mutex<(Vec<QueueItem>, Option<DateTime<Utc>>)>,
        summaries: Mutex<Vec<(CaseSummary, DateTime<Utc>)>>,
        history: Mutex<Vec<HistoryEntry>>,
    }

    impl CaseStore for MemoryStore {
        async fn replace_queue(
            &self,
            items: &[QueueItem],
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            *self.queue.lock().unwrap() = (items.to_vec(), Some(at));
            Ok(())
        }
        async fn queue(&self) -> Result<(Vec<QueueItem>, Option<DateTime<Utc>>), StoreError> {
            Ok(self.queue.lock().unwrap().clone())
        }
        async fn remove_from_queue(&self, case_id: &str) -> Result<(), StoreError> {
            self.queue
                .lock()
                .unwrap()
                .0
                .retain(|q| q.case_id != case_id);
            Ok(())
        }
        async fn save_summary(
            &self,
            summary: &CaseSummary,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut s = self.summaries.lock().unwrap();
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
                .unwrap()
                .iter()
                .find(|(s, _)| s.case_id == case_id)
                .cloned())
        }
        async fn queue_after(
            &self,
            case_id: Option<&str>,
            count: usize,
        ) -> Result<Vec<QueueItem>, StoreError> {
            let queue = self.queue.lock().unwrap().0.clone();
            let start = case_id
                .and_then(|id| queue.iter().position(|q| q.case_id == id))
                .map_or(0, |p| p + 1);
            Ok(queue.into_iter().skip(start).take(count).collect())
        }
        async fn neighbour(&self, case_id: &str) -> Result<Option<String>, StoreError> {
            let queue = self.queue.lock().unwrap().0.clone();
            let next = match queue.iter().position(|q| q.case_id == case_id) {
                Some(p) => queue
                    .get(p + 1)
                    .or_else(|| p.checked_sub(1).and_then(|q| queue.get(q))),
                None => queue.first(),
            };
            Ok(next.map(|q| q.case_id.clone()))
        }
        async fn queued_summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
            let queue = self.queue.lock().unwrap().0.clone();
            Ok(self
                .summaries
                .lock()
                .unwrap()
                .iter()
                .filter(|(s, _)| queue.iter().any(|q| q.case_id == s.case_id))
                .map(|(s, _)| s.clone())
                .collect())
        }
        async fn append_history(&self, entry: &HistoryEntry) -> Result<(), StoreError> {
            self.history.lock().unwrap().push(entry.clone());
            Ok(())
        }
        async fn history(&self, case_id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
            Ok(self
                .history
                .lock()
                .unwrap()
                .iter()
                .filter(|h| h.case_id == case_id)
                .cloned()
                .collect())
        }
    }

    struct FixedClock(DateTime<Utc>);
    impl Clock for FixedClock {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    fn desk(n: i64) -> Desk<FakeSource, MemoryStore, FixedClock> {
        let source = FakeSource::default();
        *source.cases.lock().unwrap() = (1..=n).map(|i| (item(i), CaseStatus::InReview)).collect();
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut d = Desk::new(
            source,
            MemoryStore::default(),
            FixedClock(now),
            Reviewer {
                name: "Amira Ben Salah".into(),
                email: "amira@dhmad.tn".into(),
            },
        );
        d.page_size = 2;
        d
    }

    fn request(case: i64, verdict: Verdict, comment: Option<&str>) -> DecisionRequest {
        DecisionRequest {
            case_id: item(case).case_id,
            verdict,
            comment: comment.map(str::to_owned),
            notify: None,
            redo: vec![],
        }
    }

    #[tokio::test]
    async fn sync_pages_through_and_drops_cases_decided_elsewhere() {
        let d = desk(5);
        assert_eq!(
            d.sync().await.unwrap(),
            SyncReport {
                in_review: 5,
                dropped: 0
            }
        );
        d.source.cases.lock().unwrap()[1].1 = CaseStatus::Approved;
        assert_eq!(
            d.sync().await.unwrap(),
            SyncReport {
                in_review: 4,
                dropped: 1
            }
        );
        let (queue, at) = d.queue().await.unwrap();
        assert_eq!(
            queue
                .iter()
                .map(|q| q.case_number.unwrap())
                .collect::<Vec<_>>(),
            vec![1, 3, 4, 5]
        );
        assert!(at.is_some());
    }

    #[tokio::test]
    async fn a_decision_is_stamped_recorded_and_names_the_next_case() {
        let d = desk(3);
        d.sync().await.unwrap();
        let done = d
            .decide(request(2, Verdict::Decline, Some("Altered document")))
            .await
            .unwrap();
        assert_eq!(done.next_case_id, Some(item(3).case_id));
        let sent = d.source.decided.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            sent[0].comment.as_deref(),
            Some("[Review Desk: Amira Ben Salah <amira@dhmad.tn>] Altered document")
        );
        let history = d.store.history(&item(2).case_id).await.unwrap();
        assert_eq!(history[0].kind, "decline");
        assert_eq!(history[0].actor, "amira@dhmad.tn");
        assert_eq!(d.queue().await.unwrap().0.len(), 2);
        // The last case falls back to the previous one.
        let done = d.decide(request(3, Verdict::Approve, None)).await.unwrap();
        assert_eq!(done.next_case_id, Some(item(1).case_id));
    }

    #[tokio::test]
    async fn decline_and_resubmit_need_a_comment() {
        let d = desk(1);
        for verdict in [Verdict::Decline, Verdict::Resubmit] {
            let e = d
                .decide(request(1, verdict, Some("   ")))
                .await
                .unwrap_err();
            assert!(
                matches!(e, DeskError::Action(ActionError::CommentRequired(_))),
                "{e:?}"
            );
        }
        assert!(d.source.decided.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_case_decided_elsewhere_is_a_conflict_not_an_overwrite() {
        let d = desk(2);
        d.sync().await.unwrap();
        d.source.cases.lock().unwrap()[0].1 = CaseStatus::Approved;
        let e = d
            .decide(request(1, Verdict::Decline, Some("late")))
            .await
            .unwrap_err();
        assert_eq!(e, DeskError::Conflict("Approved".into()));
        assert!(d.source.decided.lock().unwrap().is_empty());
        assert_eq!(
            d.store.history(&item(1).case_id).await.unwrap()[0].kind,
            "conflict"
        );
        assert_eq!(d.queue().await.unwrap().0.len(), 1);
    }

    #[tokio::test]
    async fn summaries_are_cached_and_prefetched() {
        let d = desk(4);
        d.sync().await.unwrap();
        assert_eq!(
            d.prefetch_after(Some(&item(1).case_id), 2).await.unwrap(),
            2
        );
        assert_eq!(
            d.prefetch_after(Some(&item(1).case_id), 2).await.unwrap(),
            0,
            "fresh ones are not fetched again"
        );
        let (s, _) = d.open(&item(2).case_id).await.unwrap();
        assert_eq!(s.case_number, Some(2));
        assert!(d.open("nope").await.is_err());
    }

    #[tokio::test]
    async fn a_case_view_masks_and_lists_the_persons_other_sessions() {
        let d = desk(3);
        d.source.cases.lock().unwrap()[2].0.vendor_data = Some("user-1".into());
        d.sync().await.unwrap();
        let view = d.case_view(&item(1).case_id).await.unwrap();
        assert_eq!(
            view.summary.vendor_data,
            Some(crate::privacy::mask("user-1"))
        );
        let numbers: Vec<Option<i64>> = view.other_sessions.iter().map(|o| o.case_number).collect();
        assert_eq!(numbers, vec![Some(3)]);
    }

    #[tokio::test]
    async fn sync_status_reports_progress_and_the_last_failure() {
        let d = desk(5);
        d.sync().await.unwrap();
        assert_eq!(
            d.sync_status(),
            SyncStatus {
                running: false,
                fetched: 5,
                total: Some(5),
                last_error: None
            }
        );
        *d.store.queue.lock().unwrap() = (vec![], None);
        let failing = Desk::new(
            FailingSource,
            MemoryStore::default(),
            FixedClock(d.clock.0),
            d.reviewer.clone(),
        );
        assert!(failing.sync().await.is_err());
        let status = failing.sync_status();
        assert!(!status.running);
        assert_eq!(
            status.last_error.as_deref(),
            Some("the provider cannot be reached: offline")
        );
    }

    struct FailingSource;
    impl CaseSource for FailingSource {
        async fn in_review_page(&self, _: u64, _: u32) -> Result<SourcePage, SourceError> {
            Err(SourceError::Unavailable("offline".into()))
        }
        async fn summary(&self, _: &str) -> Result<CaseSummary, SourceError> {
            Err(SourceError::Unavailable("offline".into()))
        }
        async fn decide(&self, _: &DecisionRequest) -> Result<(), SourceError> {
            Err(SourceError::Unavailable("offline".into()))
        }
        async fn sessions_of(&self, _: &str) -> Result<Vec<QueueItem>, SourceError> {
            Ok(vec![])
        }
    }

    #[tokio::test]
    async fn the_queue_view_carries_the_sources_rate_budget() {
        let d = desk(2);
        d.sync().await.unwrap();
        let view = d.queue_view(Duration::hours(24)).await.unwrap();
        assert_eq!(view.rows.len(), 2);
        assert_eq!(view.rate_budget.map(|b| b.decisions_left), Some(7));
    }

    #[tokio::test]
    async fn search_matches_numbers_and_unmasked_vendor_data() {
        let d = desk(12);
        d.sync().await.unwrap();
        assert_eq!(d.search("USER-11").await.unwrap(), vec![item(11).case_id]);
        assert_eq!(
            d.search("1").await.unwrap().len(),
            4,
            "numbers starting with 1: 1, 10, 11, 12"
        );
        assert_eq!(d.search("  ").await.unwrap().len(), 12);
        assert!(d.search("nobody").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_reveal_needs_a_reason_and_is_recorded() {
        let d = desk(1);
        assert!(d
            .reveal(&item(1).case_id, "document number", "")
            .await
            .is_err());
        d.reveal(
            &item(1).case_id,
            "document number",
            "Compare with the bank record",
        )
        .await
        .unwrap();
        let h = d.store.history(&item(1).case_id).await.unwrap();
        assert_eq!(h[0].detail, "document number: Compare with the bank record");
    }

    #[test]
    fn due_labels_read_like_a_person_would_say_them() {
        let created = DateTime::parse_from_rfc3339("2026-11-22T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let sla = Duration::hours(24);
        assert_eq!(
            Due::of(created, sla, created + Duration::hours(21)).label(),
            "3 h left"
        );
        assert_eq!(
            Due::of(
                created,
                sla,
                created + Duration::hours(26) + Duration::minutes(5)
            )
            .label(),
            "2 h late"
        );
        assert_eq!(
            Due::of(created, sla, created + Duration::minutes(23 * 60 + 15)).label(),
            "45 min left"
        );
    }
}
