//! The desk: one provider, one store, a clock, ids and the reviewer, and the errors its use
//! cases return. The use cases themselves live by concept: `queue`, `case_file`, `outbox`,
//! and the audit verification below.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::model::audit::AuditDraft;
use crate::model::request::ActionError;
use crate::ports::{CaseSource, Clock, Ids, RandomIds, SourceError, Store, StoreError};

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
    Lookup(crate::model::lookup::LookupError),
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
    /// Since when the provider has not answered (None: it answers).
    pub(crate) offline_since: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// What each use case remembers between calls, in a type of its own module.
    pub(crate) memory: Memory,
    /// Who hears what the use cases change (nobody until one is given).
    pub(crate) notices: std::sync::OnceLock<Box<dyn crate::ports::Notices>>,
}

/// What use cases remember between calls (the queue's sync status and the provider's answers,
/// the case file's thresholds, the team store's reachability), one value per type, each type
/// private to the module that keeps it: the desk holds them without knowing them.
#[derive(Default)]
pub(crate) struct Memory(std::sync::Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Memory {
    /// The memory of type `M`, made empty on first use.
    pub(crate) fn of<M: Default + Send + Sync + 'static>(&self) -> Arc<M> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let slot = kept
            .entry(TypeId::of::<M>())
            .or_insert_with(|| Arc::new(M::default()));
        match slot.clone().downcast::<M>() {
            Ok(memory) => memory,
            // Each slot holds its own type; were it ever otherwise, start that memory afresh.
            Err(_) => {
                let fresh = Arc::new(M::default());
                *slot = fresh.clone();
                fresh
            }
        }
    }
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
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
            offline_since: std::sync::Mutex::new(None),
            memory: Memory::default(),
            notices: std::sync::OnceLock::new(),
        }
    }

    /// Tells `notices` what the use cases change from now on (once per desk: the window that
    /// shows it).
    pub fn tell_changes_to(&self, notices: Box<dyn crate::ports::Notices>) {
        let _ = self.notices.set(notices);
    }

    /// Says what a use case changed.
    pub(crate) fn changed(&self, change: crate::ports::Change) {
        if let Some(notices) = self.notices.get() {
            notices.changed(change);
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
}
