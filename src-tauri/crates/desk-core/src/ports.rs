//! The ports desk-core needs from the outside world: the verification provider, the local case
//! cache, the outbox and the audit log (together a desk's `Store`), a clock and an id source.
//! Adapter crates implement them; desk-core's use cases only ever see these traits.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::action::{Action, ActionState};
use crate::model::audit::{AuditDraft, AuditEntry};
use crate::model::case::{CaseSummary, QueueItem, ReviewEntry};
use crate::model::request::{BlocklistSelection, DecisionRequest};

/// What can go wrong talking to the provider, in terms the desk acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the API key was refused: {0}")]
    Unauthorized(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("the provider refused: {0}")]
    Rejected(String),
    /// The provider asked us to slow down; `Retry-After` when it said.
    #[error("rate limited; try again later")]
    RateLimited(Option<StdDuration>),
    #[error("the provider cannot be reached: {0}")]
    Unavailable(String),
    /// A write may or may not have been applied.
    #[error("no answer; the action may have been applied: {0}")]
    OutcomeUnknown(String),
    #[error("{0}")]
    Invalid(String),
}

impl SourceError {
    /// Asked of a provider for something it does not offer.
    pub fn lacking(what: &str) -> Self {
        Self::Invalid(format!("this provider has no {what}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the store failed: {0}")]
    Failed(String),
    /// A decision for this case is already waiting in the outbox.
    #[error("a decision for this case is already pending ({0})")]
    AlreadyPending(String),
    /// The action changed state meanwhile (another worker, an undo): nothing was written.
    #[error("the action is no longer {0}")]
    Stale(String),
    /// The team store's server cannot be reached (the desk goes on alone meanwhile).
    #[error("the team store cannot be reached: {0}")]
    Unreachable(String),
}

/// How far a fetch of the in-review list has come: cases fetched so far, and how many there
/// are when the provider says.
pub type Progress<'a> = &'a (dyn Fn(usize, Option<usize>) + Sync);

/// One provider's requests left in its current rate windows, per kind, and the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RateBudget {
    pub provider: crate::provider::Provider,
    /// Reads and writes draw on one window (the figures are the same requests counted once).
    pub shared: bool,
    pub reads_left: u32,
    pub reads_limit: u32,
    pub writes_left: u32,
    pub writes_limit: u32,
}

/// What the provider can filter the in-review list by itself (each `None`: any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueFilter {
    /// A warning (risk) code the case carries.
    pub warning: Option<String>,
    /// ISO alpha-3 issuing country of the document.
    pub country: Option<String>,
    pub workflow_id: Option<String>,
}

impl QueueFilter {
    pub fn is_empty(&self) -> bool {
        self.warning.is_none() && self.country.is_none() && self.workflow_id.is_none()
    }
}

/// What a sync read from several providers: the cases of those that answered, and the
/// providers that did not, with why (their cases stay as the last sync left them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    pub items: Vec<QueueItem>,
    pub unread: Vec<(crate::provider::Provider, SourceError)>,
}

/// A workflow's id and the name people know it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowName {
    pub id: String,
    pub name: String,
}

/// A verification provider (Didit, VerifyHQ), or several behind one desk: the core every
/// provider has (the in-review list, a case's summary, a decision, the review feed), and the
/// capabilities an adapter declares. Case ids carry their provider (`crate::provider`); how a
/// provider pages, and what it can filter, stays inside its adapter.
pub trait CaseSource: Send + Sync {
    /// Every case waiting for a human decision, each once, in any order; `progress` hears how
    /// far the fetch has come.
    fn in_review(
        &self,
        progress: Progress<'_>,
    ) -> impl Future<Output = Result<Vec<QueueItem>, SourceError>> + Send;
    /// `in_review`, for a source of several providers where one may fail alone (an error only
    /// when none answered). A single provider answers or fails as a whole.
    fn in_review_each(
        &self,
        progress: Progress<'_>,
    ) -> impl Future<Output = Result<Fetched, SourceError>> + Send {
        async move {
            Ok(Fetched {
                items: self.in_review(progress).await?,
                unread: vec![],
            })
        }
    }
    /// The case as the provider has it now (never a cached copy).
    fn summary(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<CaseSummary, SourceError>> + Send;
    /// Sends one decision. Exactly one attempt: the outbox decides what a failure means.
    fn decide(
        &self,
        request: &DecisionRequest,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Which provider the case is (its id says so, as this adapter reads it).
    fn provider_of(&self, case_id: &str) -> crate::provider::Provider;
    /// What the case's provider offers beyond status decisions.
    fn capabilities_of(&self, case_id: &str) -> crate::provider::Capabilities;
    /// The case's review feed (status changes and comments), oldest first.
    fn reviews(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Vec<ReviewEntry>, SourceError>> + Send;
    /// Requests left in each provider's current rate windows, for those the source tracks.
    fn budgets(&self) -> Vec<RateBudget> {
        Vec::new()
    }

    // What a provider offers beyond its core, each declared by the adapter that has it: the
    // desk asks for a capability, never for a provider by name. `None`: this source has none.

    /// The provider's blocklist.
    fn blocklists(&self) -> Option<&impl Blocklists> {
        None::<&Lacks>
    }
    /// Reviews of AML screening results.
    fn aml_reviews(&self) -> Option<&impl AmlReviews> {
        None::<&Lacks>
    }
    /// Workflows with names and score thresholds.
    fn workflows(&self) -> Option<&impl Workflows> {
        None::<&Lacks>
    }
    /// Filters of the in-review list applied by the provider itself.
    fn queue_filters(&self) -> Option<&impl QueueFilters> {
        None::<&Lacks>
    }
    /// A person's other sessions, found by their vendor_data.
    fn person_sessions(&self) -> Option<&impl PersonSessions> {
        None::<&Lacks>
    }
}

/// A provider's blocklist (Didit's).
pub trait Blocklists: Send + Sync {
    /// Adds (`add`) or removes the chosen items of a case to / from the blocklist. One attempt.
    fn blocklist(
        &self,
        case_id: &str,
        add: bool,
        items: BlocklistSelection,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Which items of this case are on the blocklist now.
    fn blocklisted(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<BlocklistSelection, SourceError>> + Send;
    /// One page of the blocklist entries of `kind`, newest first, from `offset`.
    fn blocklist_page(
        &self,
        kind: crate::model::blocklist::BlocklistKind,
        offset: u64,
    ) -> impl Future<Output = Result<crate::model::blocklist::BlocklistPage, SourceError>> + Send;
}

/// Reviews of a case's AML screening (Didit's).
pub trait AmlReviews: Send + Sync {
    /// Marks one AML hit (`review_status`). One attempt.
    fn aml_hit_status(
        &self,
        case_id: &str,
        hit_id: &str,
        status: &str,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Sets the status of the case's AML check (not of the case). One attempt.
    fn aml_check_status(
        &self,
        case_id: &str,
        status: &str,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
}

/// Workflows by name, and the thresholds they set.
pub trait Workflows: Send + Sync {
    /// The score thresholds a workflow sets (None: it sets none, or it is not found).
    fn workflow_thresholds(
        &self,
        workflow_id: &str,
    ) -> impl Future<Output = Result<Option<crate::model::case::WorkflowThresholds>, SourceError>> + Send;
    /// The account's workflows and their names.
    fn list(&self) -> impl Future<Output = Result<Vec<WorkflowName>, SourceError>> + Send;
}

/// The in-review list filtered by the provider itself (exact before any summary is cached).
pub trait QueueFilters: Send + Sync {
    /// The ids of every in-review case matching `filter`, filtered by the provider (exact even
    /// for cases whose summary was never fetched).
    fn in_review_matching(
        &self,
        filter: &QueueFilter,
    ) -> impl Future<Output = Result<Vec<String>, SourceError>> + Send;
}

/// A person's sessions, any status.
pub trait PersonSessions: Send + Sync {
    /// Every session of one vendor_data (the person's earlier attempts), any status.
    fn sessions_of(
        &self,
        vendor_data: &str,
    ) -> impl Future<Output = Result<Vec<QueueItem>, SourceError>> + Send;
}

/// The capability of a source that has none (uninhabited: never called).
pub enum Lacks {}

impl Blocklists for Lacks {
    async fn blocklist(&self, _: &str, _: bool, _: BlocklistSelection) -> Result<(), SourceError> {
        match *self {}
    }
    async fn blocklisted(&self, _: &str) -> Result<BlocklistSelection, SourceError> {
        match *self {}
    }
    async fn blocklist_page(
        &self,
        _: crate::model::blocklist::BlocklistKind,
        _: u64,
    ) -> Result<crate::model::blocklist::BlocklistPage, SourceError> {
        match *self {}
    }
}

impl AmlReviews for Lacks {
    async fn aml_hit_status(&self, _: &str, _: &str, _: &str) -> Result<(), SourceError> {
        match *self {}
    }
    async fn aml_check_status(&self, _: &str, _: &str) -> Result<(), SourceError> {
        match *self {}
    }
}

impl Workflows for Lacks {
    async fn workflow_thresholds(
        &self,
        _: &str,
    ) -> Result<Option<crate::model::case::WorkflowThresholds>, SourceError> {
        match *self {}
    }
    async fn list(&self) -> Result<Vec<WorkflowName>, SourceError> {
        match *self {}
    }
}

impl QueueFilters for Lacks {
    async fn in_review_matching(&self, _: &QueueFilter) -> Result<Vec<String>, SourceError> {
        match *self {}
    }
}

impl PersonSessions for Lacks {
    async fn sessions_of(&self, _: &str) -> Result<Vec<QueueItem>, SourceError> {
        match *self {}
    }
}

/// The local cache of what the provider said: the queue and fetched summaries.
/// The cached queue as decoded once and shared by whoever reads it.
pub type SharedQueue = std::sync::Arc<Vec<QueueItem>>;

pub trait CaseCache: Send + Sync {
    /// Replaces the cached queue with `items`, fetched at `at`.
    fn replace_queue(
        &self,
        items: &[QueueItem],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The cached queue in order (shared: a store may hand out the copy it keeps), and when it
    /// was synced.
    fn queue(
        &self,
    ) -> impl Future<Output = Result<(SharedQueue, Option<DateTime<Utc>>), StoreError>> + Send;
    /// The queued case ids in queue order, and when the queue was synced (cheaper than
    /// `queue` when only the order is needed).
    fn queue_order(
        &self,
    ) -> impl Future<Output = Result<(Vec<String>, Option<DateTime<Utc>>), StoreError>> + Send;
    /// Up to `limit` queued cases with no cached summary, in queue order, and how many such
    /// cases there are in all (the background fill's work, without reading the whole queue).
    fn unfetched(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<QueueItem>, usize), StoreError>> + Send;
    /// The queued cases among `case_ids`, in queue order (ids not queued are left out).
    fn queue_items(
        &self,
        case_ids: &[String],
    ) -> impl Future<Output = Result<Vec<QueueItem>, StoreError>> + Send;
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
    /// Every case whose cached summary carries the warning `code` (queued or not).
    fn cases_with_warning(
        &self,
        code: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// When each cached case (queued, or with a cached summary) was created at the provider.
    fn created_at_all(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;
    /// The queue-relevant facts of every cached summary of a queued case (cheap to read).
    fn queued_facts(
        &self,
    ) -> impl Future<Output = Result<Vec<crate::model::case::CaseFacts>, StoreError>> + Send;
}

/// The outbox of actions, durable. Every write is one transaction that also appends its audit
/// entry to the store's log, sealed with `AuditEntry::seal` onto the current head.
pub trait OutboxStore: AuditLog {
    /// Stores a new action and its audit entry together. `AlreadyPending` when the action is a
    /// decision and the case has an open one.
    fn enqueue(
        &self,
        action: &Action,
        audit: &AuditDraft,
    ) -> impl Future<Output = Result<AuditEntry, StoreError>> + Send;
    /// Replaces the action with `next` if it is still in state `expected` (else `Stale`), and
    /// appends the audit entry, in one transaction.
    fn transition(
        &self,
        expected: ActionState,
        next: &Action,
        audit: &AuditDraft,
    ) -> impl Future<Output = Result<AuditEntry, StoreError>> + Send;
    fn action(&self, id: &str) -> impl Future<Output = Result<Option<Action>, StoreError>> + Send;
    /// Actions in creation order: every one, or only those not yet in an end state.
    fn actions(
        &self,
        open_only: bool,
    ) -> impl Future<Output = Result<Vec<Action>, StoreError>> + Send;
    /// How many actions are in `state` (the status bar asks every second: a store should count
    /// rather than load every action).
    fn count_actions(
        &self,
        state: crate::model::action::ActionState,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send {
        async move {
            let all = self.actions(state.is_open()).await?;
            Ok(all.iter().filter(|a| a.state == state).count() as u32)
        }
    }
}

/// The hash-chained audit log: append-only, read in seq order for verifying and exporting.
pub trait AuditLog: Send + Sync {
    /// Appends an entry that is not an outbox transition (a reveal, a conflict seen on open).
    fn append_audit(
        &self,
        audit: &AuditDraft,
    ) -> impl Future<Output = Result<AuditEntry, StoreError>> + Send;
    /// Up to `limit` entries with seq > `after`, in seq order (as stored: verification reads
    /// whatever is there).
    fn audit_page(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
    /// The links of up to `limit` entries with seq > `after`, in seq order, each with whether
    /// its content matches its hash. A store that can hash rows as it reads them (without
    /// building entries) should; by default the entries are read and hashed on every core.
    fn audit_links(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<crate::model::audit::ChainLink>, StoreError>> + Send {
        async move {
            Ok(crate::model::audit::links_of(
                &self.audit_page(after, limit).await?,
            ))
        }
    }
    /// Shows `visitor` every entry with `from <= seq <= to`, newest first, as stored, and gives
    /// it back. A store that can lend its rows should (an export reads every entry); by
    /// default the entries are read a page at a time and shown from memory.
    fn audit_scan<V: crate::model::audit::AuditVisitor>(
        &self,
        from: i64,
        to: i64,
        mut visitor: V,
    ) -> impl Future<Output = Result<V, StoreError>> + Send {
        async move {
            let mut entries = Vec::new();
            let mut after = from.saturating_sub(1);
            loop {
                let page = self.audit_page(after, 5_000).await?;
                let Some(last) = page.last().map(|e| e.seq) else {
                    break;
                };
                entries.extend(page.into_iter().filter(|e| e.seq <= to));
                if last >= to {
                    break;
                }
                after = last;
            }
            for entry in entries.iter().rev() {
                visitor.visit(&crate::model::audit::EntryRef::of(entry));
            }
            Ok(visitor)
        }
    }
    /// The highest seq in the log (None: empty).
    fn audit_max_seq(&self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;
    /// Every entry of one case, in seq order.
    fn case_audit(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
}

/// Everything a desk keeps: the cached queue and summaries, the outbox and the audit log.
pub trait Store: CaseCache + OutboxStore {}

impl<T: CaseCache + OutboxStore> Store for T {}

/// What a use case changed, told to whoever shows the desk (the window): narrow notices that
/// carry ids only, never personal data; the window reads again what a notice names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The cached queue (a sync, a case decided or fetched).
    Queue,
    /// The summaries of these cases arrived (the background fill): their rows changed only.
    QueueRows(Vec<String>),
    /// An action was queued or moved on.
    Outbox,
    /// A claim, a second look or the team store's reachability.
    Team,
}

/// Where a desk tells what its use cases changed.
pub trait Notices: Send + Sync {
    fn changed(&self, change: Change);
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

/// Where new action ids and reconciliation tokens come from.
pub trait Ids: Send + Sync {
    /// A unique id for a new action.
    fn action_id(&self) -> String;
    /// A short token stamped into the comment the provider stores, found again on reconcile.
    fn token(&self) -> String;
}

/// Random ids (UUID v4) and 12-hex-digit tokens (48 random bits).
pub struct RandomIds;

impl Ids for RandomIds {
    fn action_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
    fn token(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action::BlocklistRequest;
    use crate::model::blocklist::BlocklistKind;
    use crate::testing::{item, FakeSource, ManualClock, MemoryStore};

    /// A provider with the core alone (the fake's list, summaries, decisions and feed): every
    /// capability is left to the trait's default, `None`.
    struct CoreOnly(FakeSource);

    impl CaseSource for CoreOnly {
        fn provider_of(&self, case_id: &str) -> crate::provider::Provider {
            self.0.provider_of(case_id)
        }
        fn capabilities_of(&self, case_id: &str) -> crate::provider::Capabilities {
            self.0.capabilities_of(case_id)
        }
        async fn in_review(&self, progress: Progress<'_>) -> Result<Vec<QueueItem>, SourceError> {
            self.0.in_review(progress).await
        }
        async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
            self.0.summary(case_id).await
        }
        async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
            self.0.decide(request).await
        }
        async fn reviews(&self, case_id: &str) -> Result<Vec<ReviewEntry>, SourceError> {
            self.0.reviews(case_id).await
        }
    }

    #[tokio::test]
    async fn what_a_source_does_not_declare_is_absent_not_a_failure() {
        let d = crate::desk::Desk::new(
            CoreOnly(FakeSource::with_cases(3)),
            MemoryStore::default(),
            ManualClock::at("2026-11-29T12:00:00Z"),
            crate::desk::Reviewer {
                name: "Amira Ben Salah".into(),
                email: "amira@dhmad.tn".into(),
            },
        );
        d.sync().await.unwrap();
        assert!(d.workflow_names().is_empty());
        let page = d.blocklist_entries(BlocklistKind::Face, 0).await.unwrap();
        assert_eq!((page.entries.len(), page.total), (0, Some(0)));
        assert!(d.find_sessions("user-1").await.unwrap().is_empty());
        // Filters the provider cannot apply are judged on the cache, and say so.
        let filter = QueueFilter {
            warning: Some("LOW_FACE_MATCH_SIMILARITY".into()),
            ..QueueFilter::default()
        };
        assert!(!d.filter_queue(&filter).await.unwrap().exact);
        // A blocklist change asked of it ends refused with why; nothing is applied.
        let queued = d
            .submit_blocklist(BlocklistRequest {
                case_id: item(1).case_id,
                add: true,
                face: true,
                document: false,
                phone: false,
                email: false,
                reason_id: None,
                comment: Some("fraud ring".into()),
            })
            .await
            .unwrap();
        d.run_due().await.unwrap();
        let ended = d.store.action(&queued.id).await.unwrap().unwrap();
        assert_eq!(ended.state, crate::model::action::ActionState::Rejected);
        assert_eq!(
            ended.detail.as_deref(),
            Some("this provider has no blocklist")
        );
        assert!(d.source.0.applied.lock().unwrap().is_empty());
    }

    /// Notices as they are told.
    #[derive(Default, Clone)]
    struct Heard(std::sync::Arc<std::sync::Mutex<Vec<Change>>>);

    impl Notices for Heard {
        fn changed(&self, change: Change) {
            self.0.lock().unwrap().push(change);
        }
    }

    impl Heard {
        fn take(&self) -> Vec<Change> {
            std::mem::take(&mut *self.0.lock().unwrap())
        }
    }

    #[tokio::test]
    async fn use_cases_say_what_they_changed() {
        use crate::model::case::Verdict;
        let d = crate::testing::desk(3);
        let heard = Heard::default();
        d.tell_changes_to(Box::new(heard.clone()));
        d.sync().await.unwrap();
        assert_eq!(heard.take(), [Change::Queue]);
        // The fill keeps within the read budget: the fake gives it one.
        *d.source.reads_left.lock().unwrap() = Some(600);
        let report = d.fill_summaries(2).await.unwrap();
        assert_eq!(heard.take(), [Change::QueueRows(report.filled.clone())]);
        assert_eq!(report.filled.len(), 2);

        let decision = DecisionRequest {
            case_id: item(1).case_id,
            verdict: Verdict::Approve,
            comment: None,
            notify: None,
            redo: vec![],
            reason_id: Some("ok".into()),
        };
        d.submit_decision_within(decision, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!(heard.take(), [Change::Outbox, Change::Queue]);
        d.run_due().await.unwrap();
        // Queued → sending → applied: each move of the action is told.
        assert_eq!(heard.take(), [Change::Outbox, Change::Outbox]);

        let team = crate::testing::FakeTeam::default();
        d.open_for_review(&team, &item(2).case_id).await;
        assert_eq!(heard.take(), [Change::Team]);
        // Nothing changed, nothing told.
        d.queue().await.unwrap();
        assert!(heard.take().is_empty());
    }
}
