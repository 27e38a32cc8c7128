//! The queue: sync every case awaiting review into the local cache, read it back with what is
//! known of each case, search it, and prefetch the summaries the reviewer opens next.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{CaseStatus, CaseSummary, QueueItem, Severity};
use crate::desk::{Desk, DeskError};
use crate::ports::{CaseCache, CaseSource, Clock, Journal, RateBudget, SourcePage};

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

/// The cached queue with what is known of each case.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSnapshot {
    pub items: Vec<QueueItem>,
    pub summaries: HashMap<String, CaseSummary>,
    pub synced_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub rate_budget: Option<RateBudget>,
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

impl<S: CaseSource, T: CaseCache + Journal, C: Clock> Desk<S, T, C> {
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
        Ok(SyncReport {
            in_review: items.len(),
            dropped,
        })
    }

    /// The cached queue, oldest first, and when it was fetched.
    pub async fn queue(&self) -> Result<(Vec<QueueItem>, Option<DateTime<Utc>>), DeskError> {
        Ok(self.store.queue().await?)
    }

    /// The queue with every cached summary of its cases, for the table.
    pub async fn queue_snapshot(&self) -> Result<QueueSnapshot, DeskError> {
        let (items, synced_at) = self.store.queue().await?;
        let summaries = self
            .store
            .queued_summaries()
            .await?
            .into_iter()
            .map(|s| (s.case_id.clone(), s))
            .collect();
        Ok(QueueSnapshot {
            items,
            summaries,
            synced_at,
            now: self.clock.now(),
            rate_budget: self.source.budget(),
        })
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
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let request = crate::action::DecisionRequest {
            case_id: item(2).case_id,
            verdict: crate::case::Verdict::Approve,
            comment: None,
            notify: None,
            redo: vec![],
            reason_id: None,
        };
        d.submit_decision(request, Duration::seconds(8))
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
                last_error: None
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
        assert_eq!(snapshot.rate_budget.map(|b| b.writes_left), Some(3));
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
