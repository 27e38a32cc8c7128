//! The desk: one provider, one store, a clock, ids and the reviewer, and the errors its use
//! cases return. The use cases themselves live by concept: `queue`, `case_file`, `outbox`,
//! and the audit verification below.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::audit::{AuditDraft, Checkpoint, VerifyReport};
use crate::ports::{
    CaseCache, CaseSource, Clock, Ids, Journal, RandomIds, SourceError, StoreError,
};
use crate::queue::SyncStatus;

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
    #[error("{0}")]
    NotAllowed(String),
    #[error(transparent)]
    Lookup(crate::lookup::LookupError),
}

/// Who is reviewing: stamped into every comment sent to the provider, so its own review log
/// shows who decided, with the action's token so the outbox can find it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    pub name: String,
    pub email: String,
}

impl Reviewer {
    /// `[Review Desk · Name <email> · token] comment`.
    pub fn stamp(&self, token: &str, comment: Option<&str>) -> String {
        let who = format!("[Review Desk · {} <{}> · {token}]", self.name, self.email);
        match comment.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => format!("{who} {c}"),
            None => who,
        }
    }

    /// The reviewer named in a stamped comment (`Name <email>`), for providers that take the
    /// reviewer as a field of their own.
    pub fn named_in(stamped: &str) -> Option<&str> {
        let inner = stamped.strip_prefix("[Review Desk · ")?;
        let end = inner.find(']')?;
        let (who, _token) = inner[..end].rsplit_once(" · ")?;
        Some(who)
    }

    /// How the reviewer appears in the audit log.
    pub fn identity(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

/// Outbox settings of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// How long a decision waits before it is sent, so it can be undone.
    pub undo_window: Duration,
    /// Attempts before an action needs a person's attention.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, with jitter, up to `max_backoff`.
    pub min_backoff: std::time::Duration,
    pub max_backoff: std::time::Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self {
            undo_window: Duration::seconds(8),
            max_attempts: 8,
            min_backoff: std::time::Duration::from_millis(500),
            max_backoff: std::time::Duration::from_secs(60),
        }
    }
}

/// The review desk over a provider, a store and a clock.
pub struct Desk<S, T, C> {
    pub source: S,
    pub store: T,
    pub clock: C,
    pub ids: Box<dyn Ids>,
    pub reviewer: Reviewer,
    /// A summary younger than this is served from the cache.
    pub summary_ttl: Duration,
    pub policy: OutboxPolicy,
    /// Written into every audit entry.
    pub app_version: String,
    pub(crate) status: std::sync::Mutex<SyncStatus>,
    /// Since when the provider has not answered (None: it answers).
    pub(crate) offline_since: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// Since when the team store has not answered (None: it answers, or there is none).
    pub(crate) team_offline_since: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// Score thresholds per workflow id, as read once per run (None: the workflow sets none).
    pub(crate) thresholds: std::sync::Mutex<
        std::collections::HashMap<String, Option<crate::case::WorkflowThresholds>>,
    >,
    /// Workflow names by id, as the provider last listed them.
    pub(crate) workflow_names: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The provider's answer to each queue filter, kept until the queue is synced again.
    pub(crate) filter_answers: std::sync::Mutex<FilterAnswers>,
}

/// Per filter: the queue sync it was asked after, and the matching case ids.
pub(crate) type FilterAnswers = std::collections::HashMap<
    crate::ports::QueueFilter,
    (
        Option<DateTime<Utc>>,
        std::sync::Arc<std::collections::HashSet<String>>,
    ),
>;

impl<S: CaseSource, T: CaseCache + Journal, C: Clock> Desk<S, T, C> {
    pub fn new(source: S, store: T, clock: C, reviewer: Reviewer) -> Self {
        Self {
            source,
            store,
            clock,
            ids: Box::new(RandomIds),
            reviewer,
            summary_ttl: Duration::minutes(5),
            policy: OutboxPolicy::default(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            status: std::sync::Mutex::new(SyncStatus::default()),
            offline_since: std::sync::Mutex::new(None),
            team_offline_since: std::sync::Mutex::new(None),
            workflow_names: Default::default(),
            thresholds: Default::default(),
            filter_answers: Default::default(),
        }
    }

    /// Now, as the audit log writes it.
    pub(crate) fn stamp_now(&self) -> String {
        self.clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// An audit entry by this reviewer about `case_id`, to fill in.
    pub(crate) fn draft(&self, action: &str, case_id: &str) -> AuditDraft {
        AuditDraft {
            at: self.stamp_now(),
            actor: self.reviewer.identity(),
            action: action.to_owned(),
            case_id: case_id.to_owned(),
            app_version: self.app_version.clone(),
            ..AuditDraft::default()
        }
    }

    /// Notes whether the provider answered, for the "offline since" status.
    pub(crate) fn saw_provider(&self, answered: bool) {
        let mut since = self.offline_since.lock().unwrap_or_else(|e| e.into_inner());
        if answered {
            *since = None;
        } else if since.is_none() {
            *since = Some(self.clock.now());
        }
    }

    pub fn offline_since(&self) -> Option<DateTime<Utc>> {
        *self.offline_since.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-reads the whole audit log and checks its chain (and a checkpoint, if given).
    pub async fn verify_audit(
        &self,
        checkpoint: Option<(&Checkpoint, &str)>,
    ) -> Result<VerifyReport, DeskError> {
        Ok(crate::audit::verify(&self.store, checkpoint).await?)
    }

    /// A signed checkpoint of the current head (the log must verify first).
    pub async fn checkpoint(&self, seed: &[u8; 32]) -> Result<Checkpoint, DeskError> {
        let report = self.verify_audit(None).await?;
        if let Some(b) = report.broken {
            return Err(DeskError::NotAllowed(b.to_string()));
        }
        let (seq, hash) = match (report.head_seq, report.head_hash) {
            (Some(s), Some(h)) => (s, h),
            _ => (0, crate::audit::GENESIS.to_owned()),
        };
        Ok(crate::audit::sign_checkpoint(
            seed,
            seq,
            &hash,
            &self.stamp_now(),
        ))
    }
}
