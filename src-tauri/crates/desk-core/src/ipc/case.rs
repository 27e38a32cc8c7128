//! One case as the window shows it: the summary, masked, with its timeline and the person's other sessions, and a decision queued.

use crate::case_file::{CaseFile, TimelineEntry};
use crate::model::case::{CaseStatus, CaseSummary};
use crate::outbox::ActionState;
use crate::privacy::{mask, shown_all};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Another session of the same person (same vendor_data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OtherSession {
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub status: String,
    pub created_at: Option<String>,
}

/// A case as the reviewer sees it: the summary with document number and date of birth masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    pub summary: CaseSummary,
    pub fetched_at: String,
    /// True when the provider could not be reached and this is an older cached copy.
    pub stale: bool,
    /// Newest first: the provider's review feed and this desk's audit entries.
    pub timeline: Vec<TimelineEntry>,
    /// The person's other sessions, oldest first.
    pub other_sessions: Vec<OtherSession>,
    /// The case is no longer in review (decided, expired…), or another desk of the team
    /// holds it: it can be read, not decided.
    pub read_only: bool,
    /// On a team: the reviewer whose desk holds this case, when it is not this one.
    #[serde(default)]
    pub held_by: Option<String>,
    /// Who verifies this case, and what that provider can do beyond a status decision.
    pub provider: crate::provider::Provider,
    pub capabilities: crate::provider::Capabilities,
}

/// A queued decision: what to undo (until when) and which case to open next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecidedView {
    pub case_id: String,
    pub action_id: String,
    pub state: ActionState,
    /// When the decision will be sent; Undo works until then.
    pub undo_until: String,
    pub next_case_id: Option<String>,
}

impl CaseView {
    /// The case with every personal value masked: document number, date of birth, mismatches,
    /// contacts, IP addresses and vendor_data. Revealing one goes through `Desk::reveal`.
    pub fn build(file: CaseFile) -> Self {
        let CaseFile {
            summary,
            fetched_at,
            stale,
            timeline,
            mut others,
            provider,
            capabilities,
        } = file;
        let mut summary = summary;
        for d in &mut summary.documents {
            d.document_number = d.document_number.as_deref().map(mask);
            d.date_of_birth = d.date_of_birth.as_deref().map(mask);
        }
        for m in &mut summary.mismatches {
            m.expected = mask(&m.expected);
            m.found = mask(&m.found);
        }
        for c in &mut summary.contacts {
            c.value = mask(&c.value);
        }
        for ip in &mut summary.ip {
            ip.ip_address = ip.ip_address.as_deref().map(mask);
        }
        summary.vendor_data = summary.vendor_data.as_deref().map(mask);
        // Text from outside made inert once masked: the hidden characters left in view become
        // visible marks (those masked are gone with what hid them).
        let summary = shown_all(summary);
        let timeline = shown_all(timeline);
        others.sort_by_key(|o| o.case_number);
        let other_sessions = others
            .into_iter()
            .map(|o| OtherSession {
                case_number: o.case_number,
                status: o.status.to_string(),
                created_at: o.created_at,
            })
            .collect();
        Self {
            read_only: summary.status != CaseStatus::InReview,
            provider,
            capabilities,
            summary,
            fetched_at: fetched_at.to_rfc3339(),
            stale,
            timeline,
            other_sessions,
            held_by: None,
        }
    }
}
