//! The action path: every action (decision, blocklist add / remove) is validated and written,
//! with its audit entry, in one transaction before anything is sent ("queued"). A worker sends
//! what is due, one action per case at a time, in order; before any resend it reconciles with
//! the provider (the action's token in the review feed, the case's status, the blocklist), so
//! an acknowledged action is applied exactly once or ends visibly: applied, rejected, conflict,
//! cancelled or needs-attention. Every transition is an audit entry in the same transaction.
//!
//! Its rooms: `submit` (queueing, with the refusals), `manage` (list, undo, cancel, retry),
//! `worker` (what is due, in order), `gates` (four-eyes and the team's claim), `reconcile`
//! (reading the provider back), `backoff` (when to try again), `record` (each transition with
//! its audit entry), `invite` (support's resend).

mod backoff;
mod gates;
mod invite;
mod manage;
mod reconcile;
mod record;
mod submit;
mod worker;

#[cfg(test)]
mod state_machine;
#[cfg(test)]
mod test_support;

pub use crate::model::action::{
    Action, ActionBody, ActionKind, ActionState, BlocklistRequest, FourEyesMark,
};
pub use manage::OutboxStatus;
pub use submit::Submitted;
pub use worker::DrainReport;

/// Test hook: `REVIEW_DESK_FAILPOINT=<name>` aborts the process at that point, so crash tests
/// can kill it exactly between two steps.
pub fn fail_point(name: &str) {
    if std::env::var("REVIEW_DESK_FAILPOINT").is_ok_and(|v| v == name) {
        tracing::error!(failpoint = name, "aborting at a failpoint");
        std::process::abort();
    }
}

/// What a reviewer asked for, before it becomes an action.
pub(crate) struct Ask {
    pub(crate) case_id: String,
    pub(crate) kind: ActionKind,
    pub(crate) body: ActionBody,
    pub(crate) reason_id: Option<String>,
    pub(crate) comment: Option<String>,
}

/// How an attempt ended, before it is written down.
pub(crate) enum Outcome {
    End(ActionState, String),
    /// Applied, but after someone else's decision: needs attention, and cannot be cancelled.
    DecidedTwice(String),
    /// Try again later. `maybe_applied`: the attempt may have landed.
    Again {
        delay: Option<std::time::Duration>,
        maybe_applied: bool,
        why: String,
        /// The provider could not be reached: the attempt does not count towards giving up,
        /// so actions wait out an outage and drain when it ends.
        unreachable: bool,
    },
}
