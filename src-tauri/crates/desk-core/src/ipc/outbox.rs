//! The outbox as the window shows it: an action, what it may do, and the status bar's counts.

use crate::outbox::{Action, ActionKind, ActionState, OutboxStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One action in the Outbox panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionView {
    pub id: String,
    /// The token stamped into the comment the provider keeps, by which the action is found
    /// there again (not a secret: it names the action, nothing else).
    pub token: String,
    pub case_id: String,
    pub kind: ActionKind,
    pub state: ActionState,
    #[ts(type = "number")]
    pub attempts: u32,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
    pub created_at: String,
    pub due_at: String,
    pub detail: Option<String>,
    /// Whether Undo still works (queued, never sent).
    pub can_undo: bool,
    pub can_retry: bool,
    pub can_cancel: bool,
}

impl From<&Action> for ActionView {
    fn from(a: &Action) -> Self {
        let fresh = a.attempts == 0 && !a.unknown_outcome;
        Self {
            id: a.id.clone(),
            token: a.token.clone(),
            case_id: a.case_id.clone(),
            kind: a.kind,
            state: a.state,
            attempts: a.attempts,
            reason_id: a.reason_id.clone(),
            comment: a.comment.clone(),
            created_at: a.created_at.to_rfc3339(),
            due_at: a.due_at.to_rfc3339(),
            detail: a.detail.clone(),
            can_undo: a.state == ActionState::Queued && fresh,
            can_retry: a.state == ActionState::NeedsAttention,
            can_cancel: matches!(a.state, ActionState::Queued | ActionState::NeedsAttention)
                && !a.unknown_outcome,
        }
    }
}

/// The outbox for the status bar: "offline since HH:MM · N pending".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxStatusView {
    #[ts(type = "number")]
    pub pending: u32,
    #[ts(type = "number")]
    pub needs_attention: u32,
    pub offline_since: Option<String>,
    /// Why this desk is not sending (another process holds the profile's outbox), if so.
    pub not_sending: Option<String>,
}

impl From<OutboxStatus> for OutboxStatusView {
    fn from(s: OutboxStatus) -> Self {
        Self {
            pending: s.pending,
            needs_attention: s.needs_attention,
            offline_since: s.offline_since.map(|t| t.to_rfc3339()),
            not_sending: None,
        }
    }
}
