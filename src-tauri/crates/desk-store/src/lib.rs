//! The desk's local SQLite store: implements desk-core's `CaseStore`. WAL, foreign keys on,
//! `synchronous=FULL`; one file per profile in its data directory.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use desk_core::case::{CaseSummary, QueueItem};
use desk_core::review::{CaseStore, HistoryEntry, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
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
        Ok(Self { pool })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(failed)
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(failed)
}

impl CaseStore for SqliteStore {
    async fn replace_queue(
        &self,
        items: &[QueueItem],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(failed)?;
        sqlx::query("DELETE FROM queue")
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        for (position, item) in items.iter().enumerate() {
            sqlx::query("INSERT INTO queue (case_id, position, item) VALUES (?, ?, ?)")
                .bind(&item.case_id)
                .bind(position as i64)
                .bind(json(item)?)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        sqlx::query("INSERT INTO queue_sync (id, synced_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET synced_at = excluded.synced_at")
            .bind(at.to_rfc3339())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)
    }

    async fn queue(&self) -> Result<(Vec<QueueItem>, Option<DateTime<Utc>>), StoreError> {
        let rows = sqlx::query("SELECT item FROM queue ORDER BY position")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        let items = rows
            .iter()
            .map(|r| serde_json::from_str(r.get::<&str, _>(0)).map_err(failed))
            .collect::<Result<Vec<QueueItem>, _>>()?;
        let synced: Option<String> =
            sqlx::query_scalar("SELECT synced_at FROM queue_sync WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(failed)?;
        Ok((items, synced.as_deref().map(time).transpose()?))
    }

    async fn remove_from_queue(&self, case_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM queue WHERE case_id = ?")
            .bind(case_id)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn save_summary(
        &self,
        summary: &CaseSummary,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO summaries (case_id, fetched_at, summary) VALUES (?, ?, ?) \
             ON CONFLICT (case_id) DO UPDATE SET fetched_at = excluded.fetched_at, summary = excluded.summary",
        )
        .bind(&summary.case_id)
        .bind(at.to_rfc3339())
        .bind(json(summary)?)
        .execute(&self.pool)
        .await
        .map_err(failed)?;
        Ok(())
    }

    async fn summary(
        &self,
        case_id: &str,
    ) -> Result<Option<(CaseSummary, DateTime<Utc>)>, StoreError> {
        let row = sqlx::query("SELECT summary, fetched_at FROM summaries WHERE case_id = ?")
            .bind(case_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        row.map(|r| {
            Ok((
                serde_json::from_str(r.get::<&str, _>(0)).map_err(failed)?,
                time(r.get::<&str, _>(1))?,
            ))
        })
        .transpose()
    }

    async fn queue_after(
        &self,
        case_id: Option<&str>,
        count: usize,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT item FROM queue \
             WHERE position > COALESCE((SELECT position FROM queue WHERE case_id = ?), -1) \
             ORDER BY position LIMIT ?",
        )
        .bind(case_id)
        .bind(i64::try_from(count).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get::<&str, _>(0)).map_err(failed))
            .collect()
    }

    async fn neighbour(&self, case_id: &str) -> Result<Option<String>, StoreError> {
        let scalar = |sql: &'static str| sqlx::query_scalar::<_, String>(sql);
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM queue WHERE case_id = ?")
                .bind(case_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(failed)?;
        let Some(position) = position else {
            let first = scalar("SELECT case_id FROM queue ORDER BY position LIMIT 1");
            return first.fetch_optional(&self.pool).await.map_err(failed);
        };
        let next = scalar("SELECT case_id FROM queue WHERE position > ? ORDER BY position LIMIT 1")
            .bind(position)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        if next.is_some() {
            return Ok(next);
        }
        scalar("SELECT case_id FROM queue WHERE position < ? ORDER BY position DESC LIMIT 1")
            .bind(position)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)
    }

    async fn queued_summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let rows =
            sqlx::query("SELECT s.summary FROM summaries s JOIN queue q ON q.case_id = s.case_id")
                .fetch_all(&self.pool)
                .await
                .map_err(failed)?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get::<&str, _>(0)).map_err(failed))
            .collect()
    }

    async fn append_history(&self, entry: &HistoryEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO history (case_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&entry.case_id)
        .bind(entry.at.to_rfc3339())
        .bind(&entry.actor)
        .bind(&entry.kind)
        .bind(&entry.detail)
        .execute(&self.pool)
        .await
        .map_err(failed)?;
        Ok(())
    }

    async fn history(&self, case_id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT case_id, at, actor, kind, detail FROM history WHERE case_id = ? ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    case_id: r.get(0),
                    at: time(r.get::<&str, _>(1))?,
                    actor: r.get(2),
                    kind: r.get(3),
                    detail: r.get(4),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_core::case::CaseStatus;

    fn item(n: i64) -> QueueItem {
        QueueItem {
            case_id: format!("00000000-0000-4000-8000-{n:012}"),
            case_number: Some(n),
            status: CaseStatus::InReview,
            vendor_data: Some(format!("user-{n}")),
            full_name: Some("سلمى الغربي".into()),
            country: Some("TUN".into()),
            document_type: None,
            created_at: None,
            checks: vec![],
        }
    }

    #[tokio::test]
    async fn the_queue_survives_reopening_the_file() {
        let dir = std::env::temp_dir().join(format!("desk-store-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("desk.sqlite");
        let _ = std::fs::remove_file(&path);
        let at = Utc::now();
        {
            let store = SqliteStore::open(&path).await.unwrap();
            store
                .replace_queue(&[item(1), item(2), item(3)], at)
                .await
                .unwrap();
            store.remove_from_queue(&item(2).case_id).await.unwrap();
            let entry = HistoryEntry {
                case_id: item(1).case_id,
                at,
                actor: "amira@dhmad.tn".into(),
                kind: "reveal".into(),
                detail: "dob: check".into(),
            };
            store.append_history(&entry).await.unwrap();
        }
        let store = SqliteStore::open(&path).await.unwrap();
        let (items, synced) = store.queue().await.unwrap();
        assert_eq!(items, vec![item(1), item(3)]);
        assert_eq!(synced.map(|t| t.timestamp()), Some(at.timestamp()));
        assert_eq!(store.history(&item(1).case_id).await.unwrap().len(), 1);
        // Next case after 1 is 3 (2 was removed); after the last comes the one before it.
        assert_eq!(
            store.neighbour(&item(1).case_id).await.unwrap(),
            Some(item(3).case_id)
        );
        assert_eq!(
            store.neighbour(&item(3).case_id).await.unwrap(),
            Some(item(1).case_id)
        );
        assert_eq!(
            store.neighbour("not queued").await.unwrap(),
            Some(item(1).case_id)
        );
        assert_eq!(
            store.queue_after(Some(&item(1).case_id), 5).await.unwrap(),
            vec![item(3)]
        );
        assert_eq!(store.queue_after(None, 1).await.unwrap(), vec![item(1)]);
        let tamper = sqlx::query("UPDATE history SET detail = 'x'")
            .execute(&store.pool)
            .await;
        assert!(tamper.is_err(), "history is append-only");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
