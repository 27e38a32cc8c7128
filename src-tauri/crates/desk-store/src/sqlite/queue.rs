//! The cached queue and summaries (desk-core's `CaseCache`): decoded once per `queue_version`.

use chrono::{DateTime, Utc};
use desk_core::model::case::{CaseSummary, QueueItem};
use desk_core::ports::{CaseCache, StoreError};
use sqlx::Row;

use super::SqliteStore;
use crate::rows::failed;

/// What this process last decoded of the cached queue, with the `queue_version` it was read
/// at (read before the rows: a change in between only makes the next read decode again).
#[derive(Default)]
pub(super) struct QueueMemo {
    pub(super) queue: Option<(i64, desk_core::ports::SharedQueue, Option<DateTime<Utc>>)>,
    pub(super) facts: Option<(i64, Vec<desk_core::model::case::CaseFacts>)>,
}

/// Decodes `[` + the rows' JSON joined by commas + `]`.
fn json_array_of<T: serde::de::DeserializeOwned>(text: String) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(&text).map_err(failed)
}

/// Decodes queue items stored as JSON, one per row.
fn items_of(rows: &[String]) -> Result<Vec<QueueItem>, StoreError> {
    rows.iter()
        .map(|item| serde_json::from_str(item).map_err(failed))
        .collect()
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(failed)
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(failed)
}

impl SqliteStore {
    async fn queue_version(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT version FROM queue_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(failed)
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, QueueMemo> {
        self.memo.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When the cached queue was last synced.
    async fn synced_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let synced: Option<String> =
            sqlx::query_scalar("SELECT synced_at FROM queue_sync WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(failed)?;
        synced.as_deref().map(time).transpose()
    }
}

impl CaseCache for SqliteStore {
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

    async fn queue(
        &self,
    ) -> Result<(desk_core::ports::SharedQueue, Option<DateTime<Utc>>), StoreError> {
        let version = self.queue_version().await?;
        if let Some((v, items, synced_at)) = &self.memo().queue {
            if *v == version {
                return Ok((items.clone(), *synced_at));
            }
        }
        // The stored items are JSON already: one array of them crosses the driver (10,000
        // rows one by one cost more than decoding them).
        let mut rows: Vec<(i64, QueueItem)> = json_array_of(
            sqlx::query_scalar(
                "SELECT '[' || coalesce(group_concat('[' || position || ',' || item || ']', ','), '') || ']' \
                 FROM (SELECT position, item FROM queue ORDER BY position)",
            )
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?,
        )?;
        // An aggregate's order is not promised: restore the queue's (sorted already: O(n)).
        rows.sort_by_key(|(position, _)| *position);
        let items: desk_core::ports::SharedQueue =
            std::sync::Arc::new(rows.into_iter().map(|(_, item)| item).collect());
        let synced_at = self.synced_at().await?;
        self.memo().queue = Some((version, items.clone(), synced_at));
        Ok((items, synced_at))
    }

    async fn queue_order(&self) -> Result<(Vec<String>, Option<DateTime<Utc>>), StoreError> {
        let (items, synced_at) = self.queue().await?;
        Ok((items.iter().map(|i| i.case_id.clone()).collect(), synced_at))
    }

    async fn unfetched(&self, limit: usize) -> Result<(Vec<QueueItem>, usize), StoreError> {
        const MISSING: &str = "FROM queue q WHERE NOT EXISTS \
             (SELECT 1 FROM summary_facts f WHERE f.case_id = q.case_id)";
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) {MISSING}"))
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?;
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT q.item {MISSING} ORDER BY q.position LIMIT ?"
        ))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        Ok((items_of(&rows)?, usize::try_from(count).unwrap_or(0)))
    }

    async fn queue_items(&self, case_ids: &[String]) -> Result<Vec<QueueItem>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT item FROM queue WHERE case_id IN (SELECT value FROM json_each(?)) \
             ORDER BY position",
        )
        .bind(json(&case_ids)?)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        items_of(&rows)
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
        let mut tx = self.pool.begin().await.map_err(failed)?;
        sqlx::query(
            "INSERT INTO summaries (case_id, fetched_at, summary) VALUES (?, ?, ?) \
             ON CONFLICT (case_id) DO UPDATE SET fetched_at = excluded.fetched_at, \
             summary = excluded.summary",
        )
        .bind(&summary.case_id)
        .bind(at.to_rfc3339())
        .bind(json(summary)?)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        sqlx::query(
            "INSERT INTO summary_facts (case_id, facts) VALUES (?, ?) \
             ON CONFLICT (case_id) DO UPDATE SET facts = excluded.facts",
        )
        .bind(&summary.case_id)
        .bind(json(&desk_core::model::case::CaseFacts::of(summary))?)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
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

    async fn cases_with_warning(&self, code: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT case_id FROM summary_facts WHERE EXISTS \
             (SELECT 1 FROM json_each(facts, '$.warnings') AS w WHERE json_extract(w.value, '$[1]') = ?)",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)
    }

    async fn created_at_all(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT case_id, json_extract(item, '$.created_at') AS at FROM queue WHERE at IS NOT NULL \
             UNION SELECT case_id, json_extract(summary, '$.created_at') AS at FROM summaries WHERE at IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(failed)
    }

    async fn queued_facts(&self) -> Result<Vec<desk_core::model::case::CaseFacts>, StoreError> {
        let version = self.queue_version().await?;
        if let Some((v, facts)) = &self.memo().facts {
            if *v == version {
                return Ok(facts.clone());
            }
        }
        let facts: Vec<desk_core::model::case::CaseFacts> = json_array_of(
            sqlx::query_scalar(
                "SELECT '[' || coalesce(group_concat(f.facts, ','), '') || ']' \
                 FROM summary_facts f JOIN queue q ON q.case_id = f.case_id",
            )
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?,
        )?;
        self.memo().facts = Some((version, facts.clone()));
        Ok(facts)
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_core::audit::AuditDraft;
    use desk_core::model::case::CaseStatus;
    use desk_core::ports::AuditLog;

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

    /// A directory of this test's own and a store file path in it that does not exist yet.
    fn fresh_file(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("desk-store-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("desk.sqlite");
        let _ = std::fs::remove_file(&path);
        (dir, path)
    }

    #[tokio::test]
    async fn queue_facts_are_kept_beside_each_summary_for_queued_cases() {
        let (dir, path) = fresh_file("facts");
        let store = SqliteStore::open(&path).await.unwrap();
        store
            .replace_queue(&[item(1), item(2)], Utc::now())
            .await
            .unwrap();
        let mut summary =
            desk_core::testing::summary_of(&item(1), desk_core::model::case::CaseStatus::InReview);
        summary.workflow_id = Some("wf-seller".into());
        summary.warnings.push(desk_core::model::case::Warning {
            check: "ID_VERIFICATION".into(),
            code: "MRZ_VALIDATION_FAILED".into(),
            severity: desk_core::model::case::Severity::Warning,
            short_description: String::new(),
            long_description: String::new(),
            step: None,
            context: Default::default(),
        });
        store.save_summary(&summary, Utc::now()).await.unwrap();
        // Not queued: not listed.
        let other =
            desk_core::testing::summary_of(&item(7), desk_core::model::case::CaseStatus::InReview);
        store.save_summary(&other, Utc::now()).await.unwrap();
        let facts = store.queued_facts().await.unwrap();
        assert_eq!(facts, vec![desk_core::model::case::CaseFacts::of(&summary)]);
        assert_eq!(
            facts[0].top_warnings(3),
            vec!["MRZ_VALIDATION_FAILED".to_owned()]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_unfetched_cases_and_rows_by_id_come_in_queue_order() {
        let (dir, path) = fresh_file("unfetched");
        let store = SqliteStore::open(&path).await.unwrap();
        let queue: Vec<QueueItem> = [5, 3, 9, 1, 7].into_iter().map(item).collect();
        store.replace_queue(&queue, Utc::now()).await.unwrap();
        for n in [3, 1] {
            let summary = desk_core::testing::summary_of(&item(n), CaseStatus::InReview);
            store.save_summary(&summary, Utc::now()).await.unwrap();
        }
        let numbers = |items: &[QueueItem]| items.iter().map(|i| i.case_number).collect::<Vec<_>>();
        let (first, count) = store.unfetched(2).await.unwrap();
        assert_eq!((numbers(&first), count), (vec![Some(5), Some(9)], 3));
        let (all, count) = store.unfetched(10).await.unwrap();
        assert_eq!(all, vec![item(5), item(9), item(7)]);
        assert_eq!(count, 3);
        // Some rows by id, in queue order, cases not queued left out.
        let asked = [item(1).case_id, item(42).case_id, item(5).case_id];
        assert_eq!(
            store.queue_items(&asked).await.unwrap(),
            vec![item(5), item(1)]
        );
        store.remove_from_queue(&item(9).case_id).await.unwrap();
        assert_eq!(store.unfetched(10).await.unwrap().1, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_queue_survives_reopening_the_file() {
        let (dir, path) = fresh_file("test");
        let at = Utc::now();
        {
            let store = SqliteStore::open(&path).await.unwrap();
            store
                .replace_queue(&[item(1), item(2), item(3)], at)
                .await
                .unwrap();
            store.remove_from_queue(&item(2).case_id).await.unwrap();
            let mut draft = AuditDraft {
                at: "2026-11-23T10:00:00.000000Z".into(),
                actor: "Amira <amira@dhmad.tn>".into(),
                action: "reveal".into(),
                case_id: item(1).case_id,
                app_version: "0.1.0".into(),
                ..AuditDraft::default()
            };
            draft.comment = Some("dob: check".into());
            store.append_audit(&draft).await.unwrap();
        }
        let store = SqliteStore::open(&path).await.unwrap();
        let (items, synced) = store.queue().await.unwrap();
        assert_eq!(*items, vec![item(1), item(3)]);
        assert_eq!(synced.map(|t| t.timestamp()), Some(at.timestamp()));
        assert_eq!(store.case_audit(&item(1).case_id).await.unwrap().len(), 1);
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
        let tamper = sqlx::query("UPDATE audit SET comment = 'x'")
            .execute(&store.pool)
            .await;
        assert!(tamper.is_err(), "the audit log is append-only");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
