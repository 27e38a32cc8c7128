//! The queue as the window shows it: masked rows with workflow names and due tags, the rows a fill brought, a filter's answer, a sync, a session found outside the queue.

use crate::model::case::QueueItem;
use crate::privacy::{mask, shown};
use crate::queue::{Due, QueueSnapshot};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

impl QueueView {
    pub fn build(snapshot: &QueueSnapshot, sla: Duration) -> Self {
        let QueueSnapshot {
            items,
            facts,
            synced_at,
            now,
            rate_budgets,
            workflow_names,
            providers,
        } = snapshot;
        let now = *now;
        let rows: Vec<QueueRow> = items
            .iter()
            .zip(providers)
            .map(|(item, provider)| {
                let summary = facts.get(&item.case_id);
                let created = item
                    .created_at
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let due = created.map(|c| Due::of(c, sla, now));
                QueueRow {
                    case_id: item.case_id.clone(),
                    provider: *provider,
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
