//! Reads of the SQLite audit log that touch every entry (verification, exports, the lead's
//! pages): straight from SQLite's rows on the blocking pool, without sqlx's owned copy of each
//! column. Read-only connections are kept for the next read.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use desk_core::audit::{AuditDraft, AuditEntry, AuditVisitor, ChainLink, EntryRef, Fields};
use desk_core::audit_view::AuditQuery;
use desk_core::ports::StoreError;
use rusqlite::types::{Value, ValueRef};

use crate::rows::{audit_conditions, failed, Condition, AUDIT_COLUMNS};

/// Read-only connections to one database file, opened when none is free.
#[derive(Clone)]
pub(crate) struct Readers {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<rusqlite::Connection>>>,
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path: Arc::new(path),
            idle: Arc::default(),
        }
    }

    /// Runs `read` on a connection of its own, off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = readers.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let db = match taken {
                Some(db) => db,
                None => rusqlite::Connection::open_with_flags(
                    readers.path.as_path(),
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(failed)?,
            };
            let result = read(&db);
            readers
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(db);
            result
        })
        .await
        .map_err(failed)?
    }

    /// The chain links of up to `limit` entries after `after`, hashed from the rows as lent.
    pub(crate) async fn links(&self, after: i64, limit: u32) -> Result<Vec<ChainLink>, StoreError> {
        self.with(move |db| {
            let mut links = Vec::with_capacity(limit as usize);
            lend_rows(
                db,
                "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                rusqlite::params![after, i64::from(limit)],
                |entry| links.push(entry.link()),
            )?;
            Ok(links)
        })
        .await
    }

    /// Shows `visitor` every entry with `from <= seq <= to`, newest first, as lent.
    pub(crate) async fn scan<V: AuditVisitor>(
        &self,
        from: i64,
        to: i64,
        mut visitor: V,
    ) -> Result<V, StoreError> {
        self.with(move |db| {
            lend_rows(
                db,
                "WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq DESC",
                rusqlite::params![from, to],
                |entry| visitor.visit(entry),
            )?;
            Ok(visitor)
        })
        .await
    }

    /// Up to `limit` entries with seq > `after`, in seq order.
    pub(crate) async fn page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.entries(
            format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
            vec![Value::Integer(after), Value::Integer(i64::from(limit))],
        )
        .await
    }

    /// Up to `limit` entries passing `query`, below `before`, newest first.
    pub(crate) async fn search(
        &self,
        query: &AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE TRUE");
        let mut values = Vec::new();
        for condition in audit_conditions(query, before) {
            let n = values.len() + 1;
            match condition {
                Condition::Text(column_op, v) => {
                    sql.push_str(&format!("{column_op}?{n}"));
                    values.push(Value::Text(v.to_owned()));
                }
                Condition::Int(column_op, v) => {
                    sql.push_str(&format!("{column_op}?{n}"));
                    values.push(Value::Integer(v));
                }
                Condition::Among(ids) => {
                    sql.push_str(&format!(
                        " AND case_id IN (SELECT value FROM json_each(?{n}))"
                    ));
                    values.push(Value::Text(serde_json::to_string(ids).map_err(failed)?));
                }
            }
        }
        values.push(Value::Integer(i64::from(limit)));
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ?{}", values.len()));
        self.entries(sql, values).await
    }

    async fn entries(
        &self,
        sql: String,
        values: Vec<Value>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.with(move |db| {
            let mut statement = db.prepare_cached(&sql).map_err(failed)?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), |row| {
                    Ok(AuditEntry {
                        seq: row.get(0)?,
                        draft: AuditDraft {
                            at: row.get(1)?,
                            actor: row.get(2)?,
                            action: row.get(3)?,
                            case_id: row.get(4)?,
                            action_id: row.get(5)?,
                            from_state: row.get(6)?,
                            to_state: row.get(7)?,
                            reason_id: row.get(8)?,
                            comment: row.get(9)?,
                            outcome: row.get(10)?,
                            token: row.get(11)?,
                            app_version: row.get(12)?,
                        },
                        prev_hash: row.get(13)?,
                        hash: row.get(14)?,
                    })
                })
                .map_err(failed)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(failed)
        })
        .await
    }
}

/// Runs `SELECT AUDIT_COLUMNS FROM audit {tail}` and lends each row to `each`: every column
/// borrowed as stored (its bytes, whatever they are), never copied. A column holding something
/// other than text or NULL is marked: it cannot match its hash.
fn lend_rows(
    db: &rusqlite::Connection,
    tail: &str,
    params: impl rusqlite::Params,
    mut each: impl FnMut(&EntryRef<'_>),
) -> Result<(), StoreError> {
    let mut statement = db
        .prepare_cached(&format!("SELECT {AUDIT_COLUMNS} FROM audit {tail}"))
        .map_err(failed)?;
    let mut rows = statement.query(params).map_err(failed)?;
    while let Some(row) = rows.next().map_err(failed)? {
        let mut fields: Fields = [None; 12];
        let mut plain = true;
        for (i, field) in fields.iter_mut().enumerate() {
            match row.get_ref(i + 1).map_err(failed)? {
                ValueRef::Text(text) => *field = Some(text),
                ValueRef::Null => {}
                _ => plain = false,
            }
        }
        let text = |i: usize| match row.get_ref(i) {
            Ok(ValueRef::Text(text)) => text,
            _ => &[],
        };
        each(&EntryRef {
            seq: row.get(0).map_err(failed)?,
            fields,
            prev_hash: text(13),
            hash: text(14),
            plain,
        });
    }
    Ok(())
}
