//! What both backends read and write alike: the audit log's columns and rows, the lead's
//! search conditions (each dialect says them its own way), and the store's error.

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::ports::StoreError;
use sqlx::query::Query;
use sqlx::{Database, Encode, Type};

pub(crate) fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
}

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, case_id, action_id, from_state, to_state, \
     reason_id, comment, outcome, token, app_version, prev_hash, hash";

/// Binds an entry's columns, in `AUDIT_COLUMNS` order, to an `INSERT INTO audit` of either
/// dialect (each writes its own placeholders; the team store binds three more after these).
pub(crate) fn bind_entry<'q, DB>(
    insert: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    entry: &'q AuditEntry,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    i64: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
{
    let d = &entry.draft;
    insert
        .bind(entry.seq)
        .bind(d.at.as_str())
        .bind(d.actor.as_str())
        .bind(d.action.as_str())
        .bind(d.case_id.as_str())
        .bind(d.action_id.as_deref())
        .bind(d.from_state.as_deref())
        .bind(d.to_state.as_deref())
        .bind(d.reason_id.as_deref())
        .bind(d.comment.as_deref())
        .bind(d.outcome.as_deref())
        .bind(d.token.as_deref())
        .bind(d.app_version.as_str())
        .bind(entry.prev_hash.as_str())
        .bind(entry.hash.as_str())
}

/// One audit row, as either backend returns it (a SQLite `json_array` of the columns decodes
/// into it too, field by field in column order).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    case_id: String,
    action_id: Option<String>,
    from_state: Option<String>,
    to_state: Option<String>,
    reason_id: Option<String>,
    comment: Option<String>,
    outcome: Option<String>,
    token: Option<String>,
    app_version: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            seq: row.seq,
            draft: AuditDraft {
                at: row.at,
                actor: row.actor,
                action: row.action,
                case_id: row.case_id,
                action_id: row.action_id,
                from_state: row.from_state,
                to_state: row.to_state,
                reason_id: row.reason_id,
                comment: row.comment,
                outcome: row.outcome,
                token: row.token,
                app_version: row.app_version,
            },
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// One condition of a search of the audit log, for either SQL dialect to say.
pub(crate) enum Condition<'a> {
    /// ` AND column op ` followed by the value.
    Text(&'static str, &'a str),
    Int(&'static str, i64),
    /// The entry's case is one of these (however long the list: one bound value).
    Among(&'a [String]),
}

/// `query`'s conditions on the audit log, below `before`.
pub(crate) fn audit_conditions(
    query: &desk_core::audit_view::AuditQuery,
    before: Option<i64>,
) -> Vec<Condition<'_>> {
    let f = &query.filter;
    let mut out = Vec::new();
    for (column_op, value) in [
        (" AND actor = ", &f.actor),
        (" AND action = ", &f.action),
        (" AND to_state = ", &f.to_state),
        (" AND reason_id = ", &f.reason_id),
        (" AND case_id = ", &f.case_id),
        (" AND at >= ", &f.from),
        (" AND at < ", &f.until),
    ] {
        if let Some(v) = value {
            out.push(Condition::Text(column_op, v));
        }
    }
    if let Some(b) = before {
        out.push(Condition::Int(" AND seq < ", b));
    }
    if let Some(from) = query.from_seq {
        out.push(Condition::Int(" AND seq >= ", from));
    }
    if let Some(ids) = &query.among {
        out.push(Condition::Among(ids));
    }
    out
}
