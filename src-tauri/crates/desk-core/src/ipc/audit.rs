//! The lead's audit rows and pages.

use crate::privacy::shown;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One entry of the lead's audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRowView {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: String,
    pub action_id: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
    pub outcome: Option<String>,
}

impl From<&crate::audit::AuditEntry> for AuditRowView {
    /// Names, comments and the APIs' words as written, hidden characters shown as marks.
    fn from(e: &crate::audit::AuditEntry) -> Self {
        let d = &e.draft;
        let text = |t: &str| shown(t).into_owned();
        let opt = |t: &Option<String>| t.as_deref().map(text);
        Self {
            seq: e.seq,
            at: text(&d.at),
            actor: text(&d.actor),
            action: text(&d.action),
            case_id: text(&d.case_id),
            action_id: opt(&d.action_id),
            from_state: opt(&d.from_state),
            to_state: opt(&d.to_state),
            reason_id: opt(&d.reason_id),
            comment: opt(&d.comment),
            outcome: opt(&d.outcome),
        }
    }
}

/// A page of the lead's audit view, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageView {
    pub rows: Vec<AuditRowView>,
    /// Pass as `before` for the next page (None: this was the last).
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
    /// The team's shared log (true) or this desk's own.
    pub team: bool,
}
