//! The request and response types that cross the IPC boundary to the web UI. The TypeScript
//! twins in `ui/src/bindings.ts` are generated from these; a test fails when they drift.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::blocklist::{BlocklistKind, BlocklistPage, BLOCKLIST_PAGE};
pub use crate::case_file::RevealField;
use crate::case_file::{CaseFile, TimelineEntry, TimelineSource};
use crate::model::case::*;
use crate::model::request::{DecisionRequest, EmailNotice, RedoStep};
use crate::outbox::{Action, ActionKind, ActionState, BlocklistRequest, OutboxStatus};
use crate::privacy::{mask, shown, shown_all};
use crate::queue::{Due, QueueSnapshot};

/// What the shell tells the UI about itself on start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub product_name: String,
    pub version: String,
    /// The active profile's name, e.g. "Sandbox".
    pub profile: String,
    /// True when the profile talks to the built-in simulator instead of the real APIs.
    pub simulated: bool,
    /// The profile's data directory, so a reviewer or a test can see where files go.
    pub data_dir: String,
    /// Who decisions are signed as.
    pub reviewer_name: String,
    pub reviewer_email: String,
    /// Why the desk is not on the profile it was set to open, if so.
    pub notice: Option<String>,
    /// What this desk shows (a convenience: the API key decides what is possible).
    pub role: crate::profile::Role,
    /// Whether support lookups can reach DHMAD (the profile has its key).
    pub can_look_up: bool,
    /// This is the desk's first start on this data root (no profile book was there): the
    /// window explains the Sandbox profile and how to add a Live one.
    pub first_run: bool,
}

/// What went wrong, as the UI branches on it: one closed set, set in one place (here and in the
/// shell's setup errors), never a string the UI compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Another reviewer decided the case first.
    Conflict,
    /// The desk refuses the action (one decision per case, a read-only case, …).
    NotAllowed,
    /// The request is malformed: a bad id, an oversized comment, an unknown reason.
    Invalid,
    /// The local store failed.
    Store,
    Unauthorized,
    NotFound,
    /// The provider refused the request with its own message.
    Rejected,
    RateLimited,
    /// The provider cannot be reached.
    Unavailable,
    /// A write whose outcome is not known yet.
    OutcomeUnknown,
    /// The profile has no API key in the OS keyring.
    MissingKey,
    /// The OS keyring failed or is locked.
    Keyring,
    /// The profile could not be opened.
    Setup,
    /// DHMAD refuses the email's domain.
    Blocked,
    /// The person is already verified on DHMAD: nothing to do.
    AlreadyVerified,
    /// The API cannot do what was asked (e.g. search by external_user_id).
    Unsupported,
    /// The backend did not answer as expected.
    Internal,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        f.write_str(&text)
    }
}

/// Every error the UI sees: a stable code to branch on, a human message, and whether trying
/// again may help. Raw transport text never becomes the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code}: {message}")]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
    pub retryable: bool,
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            code,
            message: message.into(),
            retryable,
        }
    }
}

impl From<crate::watch::WatchError> for UiError {
    fn from(error: crate::watch::WatchError) -> Self {
        use crate::watch::WatchError;
        let (code, retryable) = match &error {
            WatchError::Store(crate::ports::StoreError::Unreachable(_)) => {
                (ErrorCode::Unavailable, true)
            }
            WatchError::Store(_) => (ErrorCode::Store, false),
            _ => (ErrorCode::Invalid, false),
        };
        UiError::new(code, error.to_string(), retryable)
    }
}

/// The VerifyHQ watch list for its view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WatchView {
    pub users: Vec<String>,
    /// Kept in the team store (every desk of the team reads it), else on this desk.
    pub shared: bool,
    /// Whether this profile reviews VerifyHQ cases at all.
    pub verifyhq: bool,
    #[ts(type = "number")]
    pub max: u32,
}

impl From<crate::desk::DeskError> for UiError {
    fn from(error: crate::desk::DeskError) -> Self {
        use crate::desk::DeskError;
        use crate::ports::SourceError;
        let message = error.to_string();
        let (code, retryable) = match &error {
            DeskError::Conflict(_) => (ErrorCode::Conflict, false),
            DeskError::NotAllowed(_) => (ErrorCode::NotAllowed, false),
            DeskError::Action(_) => (ErrorCode::Invalid, false),
            DeskError::Store(_) => (ErrorCode::Store, true),
            DeskError::Lookup(e) => {
                use crate::lookup::LookupError as L;
                match e {
                    L::Invalid(_) => (ErrorCode::Invalid, false),
                    L::Blocked(_) => (ErrorCode::Blocked, false),
                    L::NotFound(_) => (ErrorCode::NotFound, false),
                    L::AlreadyVerified(_) => (ErrorCode::AlreadyVerified, false),
                    L::RateLimited { .. } => (ErrorCode::RateLimited, true),
                    L::Unauthorized(_) => (ErrorCode::Unauthorized, false),
                    L::Unavailable(_) => (ErrorCode::Unavailable, true),
                    L::NotConfigured => (ErrorCode::MissingKey, false),
                    L::Unsupported(_) => (ErrorCode::Unsupported, false),
                }
            }
            DeskError::Source(e) => match e {
                SourceError::Unauthorized(_) => (ErrorCode::Unauthorized, false),
                SourceError::NotFound(_) => (ErrorCode::NotFound, false),
                SourceError::Rejected(_) => (ErrorCode::Rejected, false),
                SourceError::Invalid(_) => (ErrorCode::Invalid, false),
                SourceError::RateLimited(_) => (ErrorCode::RateLimited, true),
                SourceError::Unavailable(_) => (ErrorCode::Unavailable, true),
                SourceError::OutcomeUnknown(_) => (ErrorCode::OutcomeUnknown, true),
            },
        };
        UiError::new(code, message, retryable)
    }
}

/// One row of the queue table. Personal data is masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueRow {
    pub case_id: String,
    pub provider: crate::provider::Provider,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub vendor_data_masked: Option<String>,
    /// Known once the case's decision has been fetched.
    pub workflow_id: Option<String>,
    /// The workflow's name, when the provider lists it.
    pub workflow_name: Option<String>,
    /// Whether the case's summary is cached (else its warnings and workflow are not known yet).
    pub fetched: bool,
    pub country: Option<String>,
    pub created_at: Option<String>,
    /// Minutes left (positive) or late (negative) against the SLA.
    #[ts(type = "number | null")]
    pub due_minutes: Option<i64>,
    pub due_label: Option<String>,
    /// The most serious warning codes, once the decision has been fetched.
    pub top_warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    pub rows: Vec<QueueRow>,
    /// When the queue was last fetched from the provider (RFC 3339, UTC).
    pub synced_at: Option<String>,
    #[ts(type = "number")]
    pub sla_hours: i64,
    /// Requests left in each provider's rate windows.
    pub rate_budgets: Vec<crate::ports::RateBudget>,
    /// Rows whose summary has not been fetched yet (their warnings and workflow are unknown).
    pub unfetched: u32,
    /// Every workflow the provider lists, for the workflow filter.
    pub workflows: Vec<WorkflowOption>,
}

/// Some rows of the queue (those the background fill just brought): the window replaces its
/// rows with the same case ids instead of reading the whole queue again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueuePatch {
    pub rows: Vec<QueueRow>,
    /// Queued cases still without a summary.
    pub unfetched: u32,
    pub rate_budgets: Vec<crate::ports::RateBudget>,
}

impl QueuePatch {
    /// The rows of `snapshot`, against the profile's SLA, and the count of cases without a
    /// summary.
    pub fn build(snapshot: &crate::queue::QueueSnapshot, unfetched: usize, sla: Duration) -> Self {
        let view = QueueView::build(snapshot, sla);
        Self {
            rows: view.rows,
            unfetched: u32::try_from(unfetched).unwrap_or(u32::MAX),
            rate_budgets: view.rate_budgets,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowOption {
    pub id: String,
    pub name: String,
}

/// A filtered queue for the UI: the matching case ids and how sure the answer is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FilterView {
    pub case_ids: Vec<String>,
    /// True when the provider applied the filter (every case judged).
    pub exact: bool,
    /// Cases not judged yet: no summary cached and the provider unreachable.
    pub unjudged: u32,
}

impl From<crate::queue::FilterOutcome> for FilterView {
    fn from(o: crate::queue::FilterOutcome) -> Self {
        Self {
            case_ids: o.case_ids,
            exact: o.exact,
            unjudged: o.unjudged as u32,
        }
    }
}

/// A vendor_data in a queue row: enough of its end to tell two rows apart, not the whole key.
pub fn mask_row_key(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 6 {
        return mask(value);
    }
    let tail = (chars.len() / 3).min(6);
    let head: String = chars[..2].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{head}{}{end}", "•".repeat(chars.len() - 2 - tail))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub in_review: u32,
    pub dropped: u32,
}

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

/// One blocklist entry in the Blocklist view; the value arrives masked from the use case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlocklistEntryView {
    pub kind: BlocklistKind,
    pub case_id: Option<String>,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub blocklisted_at: Option<String>,
    pub value_masked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlocklistPageView {
    pub entries: Vec<BlocklistEntryView>,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub page: u32,
    pub page_size: u32,
}

impl BlocklistPageView {
    pub fn build(listed: BlocklistPage, page: u32) -> Self {
        Self {
            entries: listed
                .entries
                .into_iter()
                .map(|e| BlocklistEntryView {
                    kind: e.kind,
                    case_id: e.case_id.map(|id| shown(&id).into_owned()),
                    case_number: e.case_number,
                    blocklisted_at: e.blocklisted_at,
                    value_masked: e.value.map(|v| shown(&v).into_owned()),
                })
                .collect(),
            total: listed.total,
            page,
            page_size: BLOCKLIST_PAGE,
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

/// The team as this desk sees it: who holds which case, who is online, whether the team
/// store answers. `enabled` is false on a desk that works alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub enabled: bool,
    /// This desk's reviewer, `Name <email>`.
    pub me: String,
    /// Since when the team store has not answered (RFC 3339), if so.
    pub offline_since: Option<String>,
    pub claims: Vec<crate::claims::Claim>,
    pub desks: Vec<crate::team::Presence>,
    /// Outcomes the team wants a second reviewer to confirm.
    pub four_eyes: Vec<crate::four_eyes::FourEyesRule>,
    /// Actions waiting for a second reviewer, oldest first.
    pub second_looks: Vec<crate::four_eyes::SecondLook>,
}

/// A session found by search outside the queue (or in it), masked like a queue row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundSession {
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub status: String,
    pub vendor_data_masked: Option<String>,
    pub created_at: Option<String>,
}

impl From<&QueueItem> for FoundSession {
    fn from(i: &QueueItem) -> Self {
        Self {
            case_id: i.case_id.clone(),
            case_number: i.case_number,
            status: i.status.to_string(),
            vendor_data_masked: i
                .vendor_data
                .as_deref()
                .map(|v| shown(&mask_row_key(v)).into_owned()),
            created_at: i.created_at.clone(),
        }
    }
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

/// A profile as the settings screen shows it: never a key, only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub profile: crate::profile::Profile,
    pub active: bool,
    pub has_didit_key: bool,
    pub has_dhmad_key: bool,
    /// Only for a profile with a VerifyHQ URL.
    pub has_verifyhq_key: bool,
    /// The team store's password is in the credential store.
    #[serde(default)]
    pub has_team_password: bool,
}

/// A Live profile to save. Keys travel one way only: from this form into the OS credential
/// store. Empty or absent keys leave the saved ones unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub profile: crate::profile::Profile,
    pub didit_key: Option<String>,
    pub dhmad_key: Option<String>,
    #[serde(default)]
    pub verifyhq_key: Option<String>,
    /// The team store role's password (to the credential store only).
    #[serde(default)]
    pub team_password: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// One line per API the profile uses, in the order Didit, VerifyHQ, DHMAD.
    pub checks: Vec<ConnectionCheck>,
}

/// What one API answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub api: String,
    pub ok: bool,
    pub text: String,
}

impl QueueView {
    pub fn build(snapshot: &QueueSnapshot, sla: Duration) -> Self {
        let QueueSnapshot {
            items,
            facts,
            synced_at,
            now,
            rate_budgets,
            workflow_names,
        } = snapshot;
        let now = *now;
        let rows: Vec<QueueRow> = items
            .iter()
            .map(|item| {
                let summary = facts.get(&item.case_id);
                let created = item
                    .created_at
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let due = created.map(|c| Due::of(c, sla, now));
                QueueRow {
                    case_id: item.case_id.clone(),
                    provider: crate::provider::Provider::of(&item.case_id),
                    case_number: item.case_number,
                    vendor_data_masked: item
                        .vendor_data
                        .as_deref()
                        .map(|v| shown(&mask_row_key(v)).into_owned()),
                    workflow_id: summary.and_then(|s| s.workflow_id.clone()),
                    workflow_name: summary
                        .and_then(|s| s.workflow_id.as_ref())
                        .and_then(|id| workflow_names.get(id))
                        .map(|name| shown(name).into_owned()),
                    fetched: summary.is_some(),
                    country: item.country.clone(),
                    created_at: item.created_at.clone(),
                    due_minutes: due.map(|d| match d {
                        Due::Left(m) => m,
                        Due::Late(m) => -m,
                    }),
                    due_label: due.map(Due::label),
                    top_warnings: summary.map(|f| f.top_warnings(3)).unwrap_or_default(),
                }
            })
            .collect();
        let mut workflows: Vec<WorkflowOption> = workflow_names
            .iter()
            .map(|(id, name)| WorkflowOption {
                id: id.clone(),
                name: name.clone(),
            })
            .collect();
        workflows.sort_by(|a, b| a.name.cmp(&b.name));
        let unfetched = rows.iter().filter(|r| !r.fetched).count() as u32;
        Self {
            rows,
            synced_at: synced_at.map(|t| t.to_rfc3339()),
            sla_hours: sla.num_hours(),
            rate_budgets: rate_budgets.clone(),
            unfetched,
            workflows,
        }
    }
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
        let provider = crate::provider::Provider::of(&summary.case_id);
        Self {
            read_only: summary.status != CaseStatus::InReview,
            provider,
            capabilities: provider.capabilities(),
            summary,
            fetched_at: fetched_at.to_rfc3339(),
            stale,
            timeline,
            other_sessions,
            held_by: None,
        }
    }
}

/// The TypeScript declarations of every IPC type, as one module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let declarations = [
        AppInfo::decl(&cfg),
        UiError::decl(&cfg),
        ErrorCode::decl(&cfg),
        crate::provider::Provider::decl(&cfg),
        WatchView::decl(&cfg),
        crate::watch::WatchChange::decl(&cfg),
        crate::watch::WatchReport::decl(&cfg),
        crate::provider::Capabilities::decl(&cfg),
        QueueRow::decl(&cfg),
        QueueView::decl(&cfg),
        QueuePatch::decl(&cfg),
        WorkflowOption::decl(&cfg),
        FilterView::decl(&cfg),
        crate::ports::QueueFilter::decl(&cfg),
        SyncView::decl(&cfg),
        TimelineEntry::decl(&cfg),
        TimelineSource::decl(&cfg),
        CaseView::decl(&cfg),
        FoundSession::decl(&cfg),
        TeamView::decl(&cfg),
        AuditRowView::decl(&cfg),
        AuditPageView::decl(&cfg),
        crate::audit_stats::AuditStats::decl(&cfg),
        crate::audit_stats::Figures::decl(&cfg),
        crate::audit_view::AuditFilter::decl(&cfg),
        crate::audit_view::ExportFormat::decl(&cfg),
        crate::audit_view::ExportReport::decl(&cfg),
        crate::audit::Checkpoint::decl(&cfg),
        crate::audit::VerifyReport::decl(&cfg),
        crate::audit::Broken::decl(&cfg),
        crate::claims::Claim::decl(&cfg),
        crate::team::Presence::decl(&cfg),
        crate::four_eyes::FourEyesRule::decl(&cfg),
        crate::four_eyes::SecondLook::decl(&cfg),
        crate::four_eyes::Answer::decl(&cfg),
        crate::lookup::LookupQuery::decl(&cfg),
        crate::lookup::LookupAnswer::decl(&cfg),
        crate::lookup::VerificationCard::decl(&cfg),
        crate::lookup::PersonSession::decl(&cfg),
        crate::lookup::LookupField::decl(&cfg),
        OtherSession::decl(&cfg),
        DecidedView::decl(&cfg),
        RevealField::decl(&cfg),
        crate::reasons::Reason::decl(&cfg),
        crate::queue::SyncStatus::decl(&cfg),
        crate::ports::RateBudget::decl(&cfg),
        ActionView::decl(&cfg),
        ActionKind::decl(&cfg),
        ActionState::decl(&cfg),
        OutboxStatusView::decl(&cfg),
        BlocklistRequest::decl(&cfg),
        BlocklistKind::decl(&cfg),
        BlocklistEntryView::decl(&cfg),
        BlocklistPageView::decl(&cfg),
        crate::model::request::AmlRequest::decl(&cfg),
        crate::blind_review::BlindItem::decl(&cfg),
        crate::blind_review::BlindQueue::decl(&cfg),
        crate::blind_review::Agreement::decl(&cfg),
        crate::blind_review::Disagreement::decl(&cfg),
        crate::blind_review::BlindFigures::decl(&cfg),
        crate::blind_review::BlindAnswer::decl(&cfg),
        crate::blind_review::BlindOutcome::decl(&cfg),
        crate::case_file::BlocklistImpact::decl(&cfg),
        ProfileView::decl(&cfg),
        ProfileInput::decl(&cfg),
        ConnectionView::decl(&cfg),
        ConnectionCheck::decl(&cfg),
        crate::profile::Profile::decl(&cfg),
        crate::profile::ProfileKind::decl(&cfg),
        crate::profile::Role::decl(&cfg),
        DecisionRequest::decl(&cfg),
        EmailNotice::decl(&cfg),
        RedoStep::decl(&cfg),
        Verdict::decl(&cfg),
        CaseSummary::decl(&cfg),
        Check::decl(&cfg),
        Score::decl(&cfg),
        ThresholdSource::decl(&cfg),
        Warning::decl(&cfg),
        Severity::decl(&cfg),
        DocumentFacts::decl(&cfg),
        Mismatch::decl(&cfg),
        AmlHit::decl(&cfg),
        IpFacts::decl(&cfg),
        ContactFacts::decl(&cfg),
        RelatedCase::decl(&cfg),
        Step::decl(&cfg),
        ReviewEntry::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/crates/desk-core/src/ipc.rs by `UPDATE_BINDINGS=1 cargo test -p desk-core`.\n// Do not edit by hand.\n",
    );
    for declaration in declarations {
        out.push_str("\nexport ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn audit_rows_and_blocklist_entries_show_hidden_characters_as_marks() {
        let entry = crate::audit::AuditEntry::seal(
            crate::audit::AuditDraft {
                at: "2026-12-01T09:00:00.000000Z".into(),
                actor: "Am\u{202E}ira <amira@dhmad.tn>".into(),
                action: "decline".into(),
                case_id: "case".into(),
                comment: Some("=cmd\u{200B}|".into()),
                outcome: Some("ok\u{2066}".into()),
                app_version: "t".into(),
                ..Default::default()
            },
            None,
        );
        let row = AuditRowView::from(&entry);
        assert_eq!(row.actor, "Am⟦U+202E⟧ira <amira@dhmad.tn>");
        assert_eq!(row.comment.as_deref(), Some("=cmd⟦U+200B⟧|"));
        assert_eq!(row.outcome.as_deref(), Some("ok⟦U+2066⟧"));

        let page = BlocklistPageView::build(
            crate::blocklist::BlocklistPage {
                entries: vec![crate::blocklist::BlocklistEntry {
                    kind: crate::blocklist::BlocklistKind::Email,
                    case_id: Some("s\u{200D}1".into()),
                    case_number: Some(1),
                    blocklisted_at: None,
                    value: Some("••••\u{202E}tn".into()),
                }],
                total: Some(1),
            },
            0,
        );
        assert_eq!(
            page.entries[0].value_masked.as_deref(),
            Some("••••⟦U+202E⟧tn")
        );
        assert_eq!(page.entries[0].case_id.as_deref(), Some("s⟦U+200D⟧1"));
    }

    fn committed_bindings_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings.ts")
    }

    /// Fails when the committed bindings differ from a fresh generation. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them after changing an IPC type.
    #[test]
    fn committed_bindings_match_a_fresh_generation() {
        let fresh = typescript_bindings();
        let path = committed_bindings_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p desk-core`"
        );
    }

    #[test]
    fn queue_rows_keep_enough_of_vendor_data_to_tell_rows_apart() {
        assert_eq!(mask_row_key("dhmad-user-000123"), "dh••••••••••00123");
        assert_ne!(
            mask_row_key("dhmad-user-000123"),
            mask_row_key("dhmad-user-000124")
        );
        assert_eq!(mask_row_key("user-42"), "us•••42");
        assert_eq!(mask_row_key("u-42"), "••••");
        assert_eq!(mask_row_key("محمد-بن-علي-٤٢"), "مح••••••••ي-٤٢");
    }

    #[test]
    fn ui_error_serializes_with_camel_case_keys() {
        let error = UiError::new(ErrorCode::Unavailable, "No network", true);
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"code": "unavailable", "message": "No network", "retryable": true})
        );
        assert_eq!(error.to_string(), "unavailable: No network");
    }
}
