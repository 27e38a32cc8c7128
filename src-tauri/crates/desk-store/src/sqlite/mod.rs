//! The desk's own store on SQLite: the cached queue and summaries (`queue`), the outbox
//! (`outbox`) and the hash-chained audit log (`audit`, with `audit_reads` for reading every
//! entry). WAL, foreign keys on, `synchronous=FULL`; one file per profile in its data
//! directory. Writes to the log take the write lock up front (`BEGIN IMMEDIATE`) so two
//! processes never seal two entries onto one head.

use std::path::Path;
use std::str::FromStr;

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::ports::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::rows::{bind_entry, failed, AUDIT_COLUMNS};

mod audit;
mod audit_reads;
mod outbox;
mod queue;

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Reads of every entry of the audit log bypass the pool.
    readers: audit_reads::Readers,
    /// The queue and facts last decoded, kept while `queue_version` stands still.
    memo: std::sync::Arc<std::sync::Mutex<queue::QueueMemo>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(failed)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(failed)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(failed)?;
        Ok(Self {
            pool,
            readers: audit_reads::Readers::new(path.to_path_buf()),
            memo: Default::default(),
        })
    }
}

impl SqliteStore {
    pub(crate) async fn immediate(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(failed)
    }
}

impl SqliteStore {
    /// This desk's id on a team (made once, when the database was created).
    pub async fn desk_id(&self) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT value FROM desk_meta WHERE key = 'desk_id'")
            .fetch_one(&self.pool)
            .await
            .map_err(failed)
    }
}

/// Seals `draft` onto the current head and appends it, inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut sqlx::SqliteConnection,
    draft: &AuditDraft,
) -> Result<AuditEntry, StoreError> {
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    let entry = AuditEntry::seal(draft.clone(), head.as_ref().map(|(s, h)| (*s, h.as_str())));
    let insert = format!(
        "INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    bind_entry(sqlx::query(&insert), &entry)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    Ok(entry)
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(failed)
}
