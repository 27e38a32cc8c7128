//! The store in memory, with the same rules as the SQLite one (one open decision per case,
//! transitions only from the expected state, the audit chain sealed on append).

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::audit::{AuditDraft, AuditEntry};
use crate::model::action::{Action, ActionState};
use crate::model::case::{CaseSummary, QueueItem};
use crate::ports::*;

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
