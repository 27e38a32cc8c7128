//! The queue: sync every case awaiting review into the local cache, read it back with what is
//! known of each case, search it, and prefetch the summaries the reviewer opens next.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::desk::{Desk, DeskError};
use crate::model::case::{CaseFacts, CaseStatus, QueueItem};
use crate::ports::{
    CaseSource, Change, Clock, PersonSessions, QueueFilter, QueueFilters, RateBudget, SourceError,
    Store, Workflows,
};

/// The share of the provider's read budget the background fill may use; the rest is left for
/// the reviewer's own reads (opening a case, its feed, the person's other sessions).
pub const FILL_SHARE_PERCENT: u32 = 60;

/// The most rows one call of [`Desk::queue_rows`] answers for (the fill names 20 at a time).
pub const ROWS_PER_ASK: usize = 500;

/// What one pass of the background fill did.
#[derive(Debug, Clone, Default)]
pub struct FillReport {
    /// Summaries fetched in this pass.
    pub fetched: usize,
    /// Queued cases still without a summary.
    pub missing: usize,
    /// The pass stopped to leave the rest of the read budget to the reviewer.
    pub waiting_for_budget: bool,
    /// The cases this pass fetched, in queue order: the rows a window updates without reading
    /// the whole queue again.
    pub filled: Vec<String>,
}

impl FillReport {
    /// (fetched, missing, waiting for budget), for comparing passes.
    pub fn counts(&self) -> (usize, usize, bool) {
        (self.fetched, self.missing, self.waiting_for_budget)
    }
}

/// A filtered queue: the matching cases in queue order, and how sure the answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterOutcome {
    pub case_ids: Vec<String>,
    /// True when the provider applied the filter itself (every case judged).
    pub exact: bool,
    /// Cases the desk could not judge yet (no summary cached, provider unreachable).
    pub unjudged: usize,
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
    /// Providers the last sync could not read although others answered (their cases are as
    /// the sync before left them).
    #[serde(default)]
    pub unread: Vec<String>,
}

/// Result of a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub in_review: usize,
    pub dropped: usize,
}

/// The cached queue with what is known of each case.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSnapshot {
    pub items: crate::ports::SharedQueue,
    /// What is known of each case whose summary is cached.
    pub facts: HashMap<String, CaseFacts>,
    pub synced_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// Each provider's requests left in its rate windows.
    pub rate_budgets: Vec<RateBudget>,
    /// Workflow names by id.
    pub workflow_names: HashMap<String, String>,
    /// Each item's provider, in queue order, as the source says.
    pub providers: Vec<crate::provider::Provider>,
}

/// What the queue remembers between calls: where the sync stands, the workflow names the
/// provider last listed, and its answers to queue filters until the next sync.
#[derive(Default)]
struct QueueMemory {
    status: std::sync::Mutex<SyncStatus>,
    workflow_names: std::sync::Mutex<HashMap<String, String>>,
    filter_answers: std::sync::Mutex<FilterAnswers>,
}

/// Per filter: the queue sync it was asked after, and the matching case ids.
type FilterAnswers = std::collections::HashMap<
    crate::ports::QueueFilter,
    (
        Option<DateTime<Utc>>,
        std::sync::Arc<std::collections::HashSet<String>>,
    ),
>;

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    fn queue_memory(&self) -> std::sync::Arc<QueueMemory> {
        self.memory.of()
    }

    fn update_status(&self, change: impl FnOnce(&mut SyncStatus)) {
        change(
            &mut self
                .queue_memory()
                .status
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
    }

    /// Workflow names by id, as last listed by the provider.
    pub fn workflow_names(&self) -> HashMap<String, String> {
        self.queue_memory()
            .workflow_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every session of one vendor_data, when the provider can list a person's sessions (else
    /// none).
    pub(crate) async fn sessions_of_person(
        &self,
        vendor_data: &str,
    ) -> Result<Vec<QueueItem>, SourceError> {
        match self.source.person_sessions() {
            Some(people) => people.sessions_of(vendor_data).await,
            None => Ok(Vec::new()),
        }
    }

    /// Re-reads the workflow names; a failure keeps the last ones (names are a courtesy).
    async fn refresh_workflow_names(&self) {
        let Some(workflows) = self.source.workflows() else {
            return;
        };
        match workflows.list().await {
            Ok(list) => {
                *self
                    .queue_memory()
                    .workflow_names
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) =
                    list.into_iter().map(|w| (w.id, w.name)).collect();
            }
            Err(error) => tracing::warn!(%error, "could not list the workflows"),
        }
    }

    /// Where the queue sync stands.
    pub fn sync_status(&self) -> SyncStatus {
        self.queue_memory()
            .status
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
            s.unread.clear();
        });
        let result = self.fetch_queue().await;
        if result.is_ok() {
            self.refresh_workflow_names().await;
        }
        self.saw_provider(!matches!(
            result,
            Err(DeskError::Source(crate::ports::SourceError::Unavailable(_)))
        ));
        self.update_status(|s| {
            s.running = false;
            s.last_error = result.as_ref().err().map(ToString::to_string);
        });
        result
    }

    async fn fetch_queue(&self) -> Result<SyncReport, DeskError> {
        let (before, _) = self.store.queue().await?;
        let progress = |fetched: usize, total: Option<usize>| {
            self.update_status(|s| {
                s.fetched = fetched as u32;
                s.total = total.map(|t| t as u32);
            })
        };
        let fetched = self.source.in_review_each(&progress).await?;
        let mut items = fetched.items;
        // A provider that did not answer keeps its cases from the last sync, said in the status.
        for (provider, _) in &fetched.unread {
            items.extend(
                before
                    .iter()
                    .filter(|b| self.source.provider_of(&b.case_id) == *provider)
                    .cloned(),
            );
        }
        let unread: Vec<String> = fetched
            .unread
            .iter()
            .map(|(p, e)| {
                format!(
                    "{} could not be read ({e}): its cases are from the last sync",
                    p.name()
                )
            })
            .collect();
        for why in &unread {
            tracing::warn!("{why}");
        }
        self.update_status(|s| s.unread = unread);
        items.retain(|i| i.status == CaseStatus::InReview);
        // One queue, oldest first, whichever provider a case came from (providers write times
        // differently, so they are compared as instants; a case without a readable creation
        // time keeps its place after the dated ones).
        items.sort_by_cached_key(|i| {
            let at = i
                .created_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            (at.is_none(), at, i.case_number)
        });
        // Pages can overlap while new cases arrive: keep each case once.
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| seen.insert(i.case_id.clone()));
        // A case with a decision waiting in the outbox is not offered again.
        let pending: std::collections::HashSet<String> = self
            .store
            .actions(true)
            .await?
            .into_iter()
            .filter(|a| a.kind.is_decision())
            .map(|a| a.case_id)
            .collect();
        items.retain(|i| !pending.contains(&i.case_id));
        let kept: std::collections::HashSet<&str> =
            items.iter().map(|i| i.case_id.as_str()).collect();
        let dropped = before
            .iter()
            .filter(|b| !kept.contains(b.case_id.as_str()))
            .count();
        self.store.replace_queue(&items, self.clock.now()).await?;
        self.changed(Change::Queue);
        // The provider's answers to filters were about the queue before this sync.
        self.queue_memory()
            .filter_answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Ok(SyncReport {
            in_review: items.len(),
            dropped,
        })
    }

    /// The cached queue, oldest first, and when it was fetched.
    pub async fn queue(
        &self,
    ) -> Result<(crate::ports::SharedQueue, Option<DateTime<Utc>>), DeskError> {
        Ok(self.store.queue().await?)
    }

    /// What is known of every queued case whose summary is cached, by case id.
    async fn facts_by_case(&self) -> Result<HashMap<String, CaseFacts>, DeskError> {
        Ok(self
            .store
            .queued_facts()
            .await?
            .into_iter()
            .map(|f| (f.case_id.clone(), f))
            .collect())
    }

    /// The queue with every cached summary of its cases, for the table.
    pub async fn queue_snapshot(&self) -> Result<QueueSnapshot, DeskError> {
        // Two reads of the store, side by side (each on its own connection).
        let (queue, facts) =
            futures_util::future::join(self.store.queue(), self.facts_by_case()).await;
        let ((items, synced_at), facts) = (queue?, facts?);
        Ok(QueueSnapshot {
            providers: self.providers_of(&items),
            items,
            facts,
            synced_at,
            now: self.clock.now(),
            rate_budgets: self.source.budgets(),
            workflow_names: self.workflow_names(),
        })
    }

    fn providers_of(&self, items: &[QueueItem]) -> Vec<crate::provider::Provider> {
        items
            .iter()
            .map(|i| self.source.provider_of(&i.case_id))
            .collect()
    }

    /// The queue's rows for `case_ids` only (those still queued, in queue order), with what is
    /// known of each, and how many queued cases have no summary yet: what a window needs to
    /// update some rows without reading the whole queue.
    pub async fn queue_rows(
        &self,
        case_ids: &[String],
    ) -> Result<(QueueSnapshot, usize), DeskError> {
        if case_ids.len() > ROWS_PER_ASK {
            return Err(DeskError::NotAllowed(format!(
                "at most {ROWS_PER_ASK} rows at a time, not {}",
                case_ids.len()
            )));
        }
        let items = self.store.queue_items(case_ids).await?;
        let mut facts = HashMap::new();
        for item in &items {
            if let Some((summary, _)) = self.store.summary(&item.case_id).await? {
                facts.insert(item.case_id.clone(), CaseFacts::of(&summary));
            }
        }
        let (_, unfetched) = self.store.unfetched(0).await?;
        Ok((
            QueueSnapshot {
                providers: self.providers_of(&items),
                items: std::sync::Arc::new(items),
                facts,
                synced_at: None,
                now: self.clock.now(),
                rate_budgets: self.source.budgets(),
                workflow_names: self.workflow_names(),
            },
            unfetched,
        ))
    }

    /// One pass of the background fill: fetches the summaries of queued cases that have none,
    /// oldest first, at most `max`, and stops early to keep the reviewer's share of the read
    /// budget (`FILL_SHARE_PERCENT`). A case gone from the provider is skipped; an unreachable
    /// or rate-limiting provider ends the pass with its error.
    pub async fn fill_summaries(&self, max: usize) -> Result<FillReport, DeskError> {
        let (missing, count) = self.store.unfetched(max).await?;
        let mut report = FillReport {
            missing: count,
            ..Default::default()
        };
        for item in missing {
            // Each provider's own budget: one running low leaves the other's cases to fill.
            let provider = self.source.provider_of(&item.case_id);
            let budgets = self.source.budgets();
            if let Some(b) = budgets.iter().find(|b| b.provider == provider) {
                let reserve = b.reads_limit - b.reads_limit * FILL_SHARE_PERCENT / 100;
                if b.reads_left <= reserve {
                    report.waiting_for_budget = true;
                    continue;
                }
            }
            match self.fetch(&item.case_id).await {
                Ok(_) => {
                    report.fetched += 1;
                    report.missing -= 1;
                    report.filled.push(item.case_id);
                }
                Err(DeskError::Source(SourceError::NotFound(_))) => {
                    self.store.remove_from_queue(&item.case_id).await?;
                    report.missing -= 1;
                    self.changed(Change::Queue);
                }
                Err(error) => return Err(error),
            }
        }
        if !report.filled.is_empty() {
            self.changed(Change::QueueRows(report.filled.clone()));
        }
        Ok(report)
    }

    /// The provider's answer to `filter`: asked once per queue sync (a case can only enter the
    /// queue, or match differently, through a sync; decided cases leave the cached queue).
    async fn provider_matches(
        &self,
        filter: &QueueFilter,
        synced_at: Option<DateTime<Utc>>,
    ) -> Result<std::sync::Arc<std::collections::HashSet<String>>, SourceError> {
        let known = self
            .queue_memory()
            .filter_answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(filter)
            .filter(|(asked_after, _)| *asked_after == synced_at)
            .map(|(_, ids)| ids.clone());
        if let Some(ids) = known {
            return Ok(ids);
        }
        let ids = std::sync::Arc::new(
            self.source
                .queue_filters()
                .ok_or_else(|| SourceError::lacking("filters of its own"))?
                .in_review_matching(filter)
                .await?
                .into_iter()
                .collect::<std::collections::HashSet<_>>(),
        );
        let memory = self.queue_memory();
        let mut answers = memory
            .filter_answers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        answers.retain(|_, (asked_after, _)| *asked_after == synced_at);
        answers.insert(filter.clone(), (synced_at, ids.clone()));
        Ok(ids)
    }

    /// The queued cases matching `filter`, in queue order. The provider filters when it can be
    /// reached (exact; its answer kept until the next sync); otherwise the cached summaries
    /// judge, and the cases without one are counted as not judged yet.
    pub async fn filter_queue(&self, filter: &QueueFilter) -> Result<FilterOutcome, DeskError> {
        let (ids, synced_at) = self.store.queue_order().await?;
        if filter.is_empty() {
            return Ok(FilterOutcome {
                case_ids: ids,
                exact: true,
                unjudged: 0,
            });
        }
        match self.provider_matches(filter, synced_at).await {
            Ok(matching) => {
                return Ok(FilterOutcome {
                    case_ids: ids.into_iter().filter(|id| matching.contains(id)).collect(),
                    exact: true,
                    unjudged: 0,
                });
            }
            Err(error) => tracing::info!(%error, "filtering on the cached summaries instead"),
        }
        let (items, _) = self.store.queue().await?;
        let facts = self.facts_by_case().await?;
        let mut outcome = FilterOutcome {
            case_ids: Vec::new(),
            exact: false,
            unjudged: 0,
        };
        for item in items.iter() {
            if filter
                .country
                .as_ref()
                .is_some_and(|c| item.country.as_ref() != Some(c))
            {
                continue;
            }
            let needs_summary = filter.warning.is_some() || filter.workflow_id.is_some();
            match facts.get(&item.case_id) {
                None if needs_summary => outcome.unjudged += 1,
                None => outcome.case_ids.push(item.case_id.clone()),
                Some(f) => {
                    let warned = filter.warning.as_ref().is_none_or(|w| f.has_warning(w));
                    let in_workflow =
                        filter.workflow_id.is_none() || f.workflow_id == filter.workflow_id;
                    if warned && in_workflow {
                        outcome.case_ids.push(item.case_id.clone());
                    }
                }
            }
        }
        Ok(outcome)
    }

    /// Queue cases matching `text`: a session number, part of a vendor_data (searched unmasked,
    /// here in the backend), or a warning code of a fetched case.
    pub async fn search(&self, text: &str) -> Result<Vec<String>, DeskError> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            let (items, _) = self.store.queue().await?;
            return Ok(items.iter().map(|i| i.case_id.clone()).collect());
        }
        let (queue, facts) =
            futures_util::future::join(self.store.queue(), self.store.queued_facts()).await;
        let ((items, _), facts) = (queue?, facts?);
        let warned: std::collections::HashSet<String> = facts
            .into_iter()
            .filter(|f| {
                f.warnings
                    .iter()
                    .any(|(_, code)| code.to_lowercase().contains(&needle))
            })
            .map(|f| f.case_id)
            .collect();
        Ok(items
            .iter()
            .filter(|i| {
                i.case_number
                    .is_some_and(|n| n.to_string().starts_with(&needle))
                    || i.vendor_data
                        .as_deref()
                        .is_some_and(|v| v.to_lowercase().contains(&needle))
                    || warned.contains(&i.case_id)
            })
            .map(|i| i.case_id.clone())
            .collect())
    }

    /// Any session, in the queue or not, decided ones too: by its UUID (read from the provider)
    /// or by an exact vendor_data (every session of that person). Session numbers are matched
    /// in the queue only (`search`): Didit's list cannot be filtered by number.
    pub async fn find_sessions(&self, text: &str) -> Result<Vec<QueueItem>, DeskError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 200 {
            return Ok(Vec::new());
        }
        if crate::model::request::validate_case_id(text).is_ok() {
            return match self.fetch(text).await {
                Ok((s, _)) => Ok(vec![QueueItem {
                    case_id: s.case_id,
                    case_number: s.case_number,
                    status: s.status,
                    vendor_data: s.vendor_data,
                    full_name: None,
                    country: None,
                    document_type: None,
                    created_at: s.created_at,
                    checks: vec![],
                }]),
                Err(DeskError::Source(SourceError::NotFound(_))) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
        }
        if text.chars().all(|c| c.is_ascii_digit()) {
            return Ok(Vec::new());
        }
        let mut found = self.sessions_of_person(text).await?;
        found.sort_by_key(|i| std::cmp::Reverse(i.case_number));
        Ok(found)
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
        if fetched > 0 {
            self.changed(Change::Queue);
        }
        Ok(fetched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::CaseCache;
    use crate::testing::{desk, item};

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
        d.source.compete(&item(2).case_id, CaseStatus::Approved);
        assert_eq!(
            d.sync().await.unwrap(),
            SyncReport {
                in_review: 4,
                dropped: 1
            }
        );
        let (queue, at) = d.queue().await.unwrap();
        let numbers: Vec<i64> = queue.iter().filter_map(|q| q.case_number).collect();
        assert_eq!(numbers, vec![1, 3, 4, 5]);
        assert!(at.is_some());
    }

    #[tokio::test]
    async fn a_case_with_a_pending_decision_is_not_offered_again_by_a_sync() {
        let d = desk(3);
        d.sync().await.unwrap();
        let request = crate::model::request::DecisionRequest {
            case_id: item(2).case_id,
            verdict: crate::model::case::Verdict::Approve,
            comment: None,
            notify: None,
            redo: vec![],
            reason_id: None,
        };
        d.submit_decision_within(request, Duration::seconds(8))
            .await
            .unwrap();
        d.sync().await.unwrap();
        let (queue, _) = d.queue().await.unwrap();
        assert!(queue.iter().all(|q| q.case_id != item(2).case_id));
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
        let (s, _, stale) = d.open(&item(2).case_id).await.unwrap();
        assert_eq!(s.case_number, Some(2));
        assert!(!stale);
        assert!(d.open("nope").await.is_err());
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
                last_error: None,
                unread: vec![]
            }
        );
        *d.source.offline.lock().unwrap() = true;
        assert!(d.sync().await.is_err());
        let status = d.sync_status();
        assert!(!status.running);
        assert_eq!(
            status.last_error.as_deref(),
            Some("the provider cannot be reached: offline")
        );
        assert!(d.offline_since().is_some());
    }

    #[tokio::test]
    async fn the_snapshot_carries_the_sources_rate_budget() {
        let d = desk(2);
        d.sync().await.unwrap();
        let snapshot = d.queue_snapshot().await.unwrap();
        assert_eq!(snapshot.items.len(), 2);
        let didit: Vec<_> = snapshot
            .rate_budgets
            .iter()
            .map(|b| (b.provider, b.writes_left))
            .collect();
        assert_eq!(didit, [(crate::provider::Provider::Didit, 3)]);
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
    async fn the_fill_fetches_missing_summaries_oldest_first_within_its_share_of_the_budget() {
        let d = desk(5);
        d.sync().await.unwrap();
        d.prefetch_after(Some(&item(1).case_id), 1).await.unwrap();
        // 600 reads a minute, 60 % for the fill: it stops while 240 are left.
        *d.source.reads_left.lock().unwrap() = Some(241);
        let before = *d.source.summary_reads.lock().unwrap();
        let report = d.fill_summaries(10).await.unwrap();
        assert_eq!(
            report.counts(),
            (4, 0, false),
            "case 2 was cached by the prefetch"
        );
        assert_eq!(*d.source.summary_reads.lock().unwrap() - before, 4);
        assert_eq!(d.fill_summaries(10).await.unwrap().fetched, 0);

        let d = desk(5);
        d.sync().await.unwrap();
        *d.source.reads_left.lock().unwrap() = Some(240);
        let report = d.fill_summaries(10).await.unwrap();
        assert_eq!(report.counts(), (0, 5, true));
        *d.source.reads_left.lock().unwrap() = Some(600);
        let report = d.fill_summaries(2).await.unwrap();
        assert_eq!(
            (report.fetched, report.missing),
            (2, 3),
            "at most `max` a pass"
        );
        let snapshot = d.queue_snapshot().await.unwrap();
        let cached: Vec<i64> = snapshot
            .items
            .iter()
            .filter(|i| snapshot.facts.contains_key(&i.case_id))
            .filter_map(|i| i.case_number)
            .collect();
        assert_eq!(cached, vec![1, 2], "oldest first");
    }

    #[tokio::test]
    async fn the_fill_names_the_rows_it_brought_and_those_rows_alone_can_be_read_back() {
        let d = desk(5);
        d.sync().await.unwrap();
        *d.source.reads_left.lock().unwrap() = Some(600);
        let report = d.fill_summaries(2).await.unwrap();
        let ids = |ns: &[i64]| ns.iter().map(|n| item(*n).case_id).collect::<Vec<_>>();
        assert_eq!(report.filled, ids(&[1, 2]));
        // Asked out of order, with a case that is not queued: queue order, queued cases only.
        let mut asked = ids(&[4, 2]);
        asked.push("00000000-0000-4000-8000-999999999999".into());
        let (rows, unfetched) = d.queue_rows(&asked).await.unwrap();
        let numbers: Vec<Option<i64>> = rows.items.iter().map(|i| i.case_number).collect();
        assert_eq!(numbers, [Some(2), Some(4)]);
        assert!(rows.facts.contains_key(&item(2).case_id), "2 was fetched");
        assert!(!rows.facts.contains_key(&item(4).case_id), "4 was not");
        assert_eq!(unfetched, 3);
        let too_many = vec![item(1).case_id; ROWS_PER_ASK + 1];
        assert!(matches!(
            d.queue_rows(&too_many).await,
            Err(DeskError::NotAllowed(_))
        ));
    }

    #[tokio::test]
    async fn the_queue_is_oldest_first_by_instant_whatever_way_a_provider_writes_its_times() {
        let d = desk(3);
        {
            let mut cases = d.source.cases.lock().unwrap();
            cases[0].item.created_at = Some("2026-11-05T09:30:00Z".into());
            cases[1].item.created_at = Some("2026-11-05T10:00:00.000+01:00".into());
            cases[2].item.created_at = None;
        }
        d.sync().await.unwrap();
        let (queue, _) = d.queue().await.unwrap();
        let order: Vec<Option<i64>> = queue.iter().map(|i| i.case_number).collect();
        assert_eq!(
            order,
            [Some(2), Some(1), Some(3)],
            "09:00Z, 09:30Z, undated"
        );
    }

    #[tokio::test]
    async fn a_provider_short_of_reads_leaves_the_others_cases_to_fill() {
        let d = desk(2);
        let mut other = item(3);
        other.case_id = "verifyhq:ver_3".into();
        d.source.push_case(other);
        d.sync().await.unwrap();
        // Didit is down to its reviewer's share; the fake tracks no VerifyHQ budget.
        *d.source.reads_left.lock().unwrap() = Some(240);
        let report = d.fill_summaries(10).await.unwrap();
        assert_eq!(report.counts(), (1, 2, true));
        let snapshot = d.queue_snapshot().await.unwrap();
        assert!(snapshot.facts.contains_key("verifyhq:ver_3"));
    }

    #[tokio::test]
    async fn a_case_gone_from_the_provider_leaves_the_queue_during_the_fill() {
        let d = desk(3);
        d.sync().await.unwrap();
        d.source
            .cases
            .lock()
            .unwrap()
            .retain(|c| c.item.case_number != Some(2));
        *d.source.reads_left.lock().unwrap() = Some(600);
        let report = d.fill_summaries(10).await.unwrap();
        assert_eq!((report.fetched, report.missing), (2, 0));
        assert_eq!(d.queue().await.unwrap().0.len(), 2);
        *d.source.offline.lock().unwrap() = true;
        d.store
            .replace_queue(&[item(9)], d.clock.now())
            .await
            .unwrap();
        assert!(d.fill_summaries(10).await.is_err(), "offline ends the pass");
    }

    #[tokio::test]
    async fn filters_are_exact_through_the_provider_and_say_what_they_could_not_judge_offline() {
        let d = desk(6);
        d.source
            .shape(2, &["MRZ_VALIDATION_FAILED"], Some("wf-seller"));
        d.source.shape(
            5,
            &["MRZ_VALIDATION_FAILED", "FACE_IN_BLOCKLIST"],
            Some("wf-payments"),
        );
        d.source.shape(6, &[], Some("wf-seller"));
        d.sync().await.unwrap();
        let mrz = QueueFilter {
            warning: Some("MRZ_VALIDATION_FAILED".into()),
            ..Default::default()
        };
        // No summary was ever fetched, and still both cases are found.
        let found = d.filter_queue(&mrz).await.unwrap();
        assert_eq!(found.case_ids, vec![item(2).case_id, item(5).case_id]);
        assert!(found.exact && found.unjudged == 0);
        let seller = QueueFilter {
            workflow_id: Some("wf-seller".into()),
            ..Default::default()
        };
        assert_eq!(
            d.filter_queue(&seller).await.unwrap().case_ids,
            vec![item(2).case_id, item(6).case_id]
        );
        assert_eq!(
            d.workflow_names().get("wf-seller").map(String::as_str),
            Some("Seller KYC"),
            "names come with the sync"
        );

        // The provider's answer holds until the next sync: asked again, it is not re-read.
        let reads = *d.source.filter_reads.lock().unwrap();
        assert_eq!(d.filter_queue(&mrz).await.unwrap().case_ids.len(), 2);
        assert_eq!(*d.source.filter_reads.lock().unwrap(), reads);
        d.source.shape(3, &["MRZ_VALIDATION_FAILED"], None);
        d.sync().await.unwrap();
        assert_eq!(
            d.filter_queue(&mrz).await.unwrap().case_ids.len(),
            3,
            "a sync asks again"
        );
        assert_eq!(*d.source.filter_reads.lock().unwrap(), reads + 1);
        d.source.shape(3, &[], None);
        d.sync().await.unwrap();

        // Offline, a filter not asked since the sync: the cached summaries judge; the rest are
        // counted, never guessed.
        d.prefetch_after(None, 2).await.unwrap();
        *d.source.offline.lock().unwrap() = true;
        let mrz_in_seller = QueueFilter {
            workflow_id: Some("wf-seller".into()),
            ..mrz.clone()
        };
        let found = d.filter_queue(&mrz_in_seller).await.unwrap();
        assert_eq!(found.case_ids, vec![item(2).case_id]);
        assert!(!found.exact);
        assert_eq!(found.unjudged, 4, "cases 3-6 have no summary yet");
        let tunisia = QueueFilter {
            country: Some("TUN".into()),
            ..Default::default()
        };
        let found = d.filter_queue(&tunisia).await.unwrap();
        assert_eq!(
            (found.case_ids.len(), found.unjudged),
            (6, 0),
            "the list row has the country"
        );
    }

    #[tokio::test]
    async fn any_session_is_found_by_uuid_or_vendor_data_decided_ones_too() {
        let d = desk(4);
        d.sync().await.unwrap();
        d.source.compete(&item(3).case_id, CaseStatus::Approved);
        let found = d.find_sessions(&item(3).case_id).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, CaseStatus::Approved);
        let found = d.find_sessions(" user-3 ").await.unwrap();
        assert_eq!(
            found.iter().map(|i| i.case_number).collect::<Vec<_>>(),
            vec![Some(3)]
        );
        assert!(d
            .find_sessions("00000000-0000-4000-8000-000000000099")
            .await
            .unwrap()
            .is_empty());
        assert!(
            d.find_sessions("42").await.unwrap().is_empty(),
            "numbers: the queue only"
        );
        assert!(d.find_sessions("").await.unwrap().is_empty());
        assert!(d.find_sessions(&"x".repeat(201)).await.unwrap().is_empty());
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
