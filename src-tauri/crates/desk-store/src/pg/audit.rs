//! The team's audit chain (desk-core's `AuditLog` and `TeamLog`): every desk's entries copied
//! onto one chain under one advisory lock, and the lead's search of it.

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::ports::{AuditLog, StoreError};

use super::{failed, PgStore};
use crate::rows::{audit_conditions, bind_entry, AuditRow, Condition, AUDIT_COLUMNS};

/// The advisory lock every audit append takes (an arbitrary, fixed key).
const AUDIT_LOCK: i64 = 0x5245_5649_4557;

/// Takes the append lock (held until the caller's transaction ends) and reads the head.
async fn lock_head(tx: &mut sqlx::PgConnection) -> Result<Option<(i64, String)>, StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(failed)
}

/// Where a copied entry came from: a desk's id, and the entry's seq and hash on its chain.
type Origin<'a> = Option<(&'a str, i64, &'a str)>;

/// Seals `draft` onto `head` and inserts it; the caller holds the append lock.
async fn insert(
    tx: &mut sqlx::PgConnection,
    draft: &AuditDraft,
    head: Option<(i64, &str)>,
    origin: Origin<'_>,
) -> Result<AuditEntry, StoreError> {
    let entry = AuditEntry::seal(draft.clone(), head);
    let insert = format!(
        "INSERT INTO audit ({AUDIT_COLUMNS}, origin, origin_seq, origin_hash) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    );
    bind_entry(sqlx::query(&insert), &entry)
        .bind(origin.map(|o| o.0))
        .bind(origin.map(|o| o.1))
        .bind(origin.map(|o| o.2))
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    Ok(entry)
}

/// Seals `draft` onto the chain's head inside the caller's transaction.
async fn append(tx: &mut sqlx::PgConnection, draft: &AuditDraft) -> Result<AuditEntry, StoreError> {
    let head = lock_head(tx).await?;
    insert(
        tx,
        draft,
        head.as_ref().map(|(s, h)| (*s, h.as_str())),
        None,
    )
    .await
}

impl AuditLog for PgStore {
    async fn append_audit(&self, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        let mut tx = self.pool().await?.begin().await.map_err(failed)?;
        let entry = append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    async fn audit_max_seq(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MAX(seq) FROM audit")
            .fetch_one(self.pool().await?)
            .await
            .map_err(failed)
    }

    async fn case_audit(&self, case_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE case_id = $1 ORDER BY seq"
        ))
        .bind(case_id)
        .fetch_all(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}

impl desk_core::team::TeamLog for PgStore {
    async fn mirrored(&self, origin: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COALESCE(MAX(origin_seq), 0) FROM audit WHERE origin = $1")
            .bind(origin)
            .fetch_one(self.pool().await?)
            .await
            .map_err(failed)
    }

    async fn mirror(&self, origin: &str, entries: &[AuditEntry]) -> Result<usize, StoreError> {
        let mut tx = self.pool().await?.begin().await.map_err(failed)?;
        let mut head = lock_head(&mut tx).await?;
        // Under the lock: what an earlier, unanswered attempt already copied is skipped.
        let done: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(origin_seq), 0) FROM audit WHERE origin = $1")
                .bind(origin)
                .fetch_one(&mut *tx)
                .await
                .map_err(failed)?;
        let mut appended = 0;
        for entry in entries.iter().filter(|e| e.seq > done) {
            let sealed = insert(
                &mut tx,
                &entry.draft,
                head.as_ref().map(|(s, h)| (*s, h.as_str())),
                Some((origin, entry.seq, &entry.hash)),
            )
            .await?;
            head = Some((sealed.seq, sealed.hash));
            appended += 1;
        }
        tx.commit().await.map_err(failed)?;
        Ok(appended)
    }

    async fn announce(
        &self,
        origin: &str,
        reviewer: &str,
        case_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO presence (desk_id, reviewer, case_id, seen_at) VALUES ($1, $2, $3, now()) \
             ON CONFLICT (desk_id) DO UPDATE SET reviewer = EXCLUDED.reviewer, \
                 case_id = EXCLUDED.case_id, seen_at = now()",
        )
        .bind(origin)
        .bind(reviewer)
        .bind(case_id)
        .execute(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(())
    }

    async fn presence(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        day_start: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<desk_core::team::Presence>, StoreError> {
        let day = day_start.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let rows: Vec<(String, Option<String>, chrono::DateTime<chrono::Utc>, i64)> =
            sqlx::query_as(
                "SELECT p.reviewer, p.case_id, p.seen_at, \
                     (SELECT COUNT(*) FROM audit a WHERE a.actor = p.reviewer AND a.at >= $2 \
                      AND a.to_state = 'applied' AND a.action IN ('approve', 'decline', 'resubmit')) \
                 FROM presence p WHERE p.seen_at >= $1 ORDER BY p.reviewer",
            )
            .bind(since)
            .bind(day)
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(
                |(reviewer, case_id, seen_at, n)| desk_core::team::Presence {
                    reviewer,
                    case_id,
                    seen_at: seen_at.to_rfc3339(),
                    online: false,
                    decisions_today: u32::try_from(n).unwrap_or(u32::MAX),
                },
            )
            .collect())
    }
}

impl desk_core::audit_view::AuditSearch for PgStore {
    async fn audit_search(
        &self,
        query: &desk_core::audit_view::AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE TRUE"
        ));
        for condition in audit_conditions(query, before) {
            match condition {
                Condition::Text(column_op, v) => q.push(column_op).push_bind(v),
                Condition::Int(column_op, v) => q.push(column_op).push_bind(v),
                Condition::Among(ids) => q.push(" AND case_id = ANY(").push_bind(ids).push(")"),
            };
        }
        q.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(limit));
        let rows: Vec<AuditRow> = q
            .build_query_as()
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT DISTINCT actor FROM audit ORDER BY actor")
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)
    }
}
