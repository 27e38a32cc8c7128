//! The team's audit chain (desk-core's `AuditLog` and `TeamLog`): every desk's entries copied
//! onto one chain under one advisory lock, and the lead's search of it.

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::ports::{AuditLog, StoreError};

use super::PgStore;
use crate::rows::{audit_conditions, AuditRow, Condition, AUDIT_COLUMNS};

impl AuditLog for PgStore {
    async fn append_audit(&self, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        self.within(async {
            // The team's chain holds copies of desks' own chains only (see `mirror`): an entry
            // written straight onto it would have no desk to answer for it.
            Err(StoreError::Failed(format!(
                "the team's audit is written by copying a desk's own log, not entry by entry ({})",
                audit.action
            )))
        })
        .await
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.within(async {
            let rows: Vec<AuditRow> = sqlx::query_as(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            Ok(rows.into_iter().map(AuditEntry::from).collect())
        })
        .await
    }

    async fn audit_max_seq(&self) -> Result<Option<i64>, StoreError> {
        self.within(async {
            sqlx::query_scalar("SELECT MAX(seq) FROM audit")
                .fetch_one(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))
        })
        .await
    }

    async fn case_audit(&self, case_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.within(async {
            let rows: Vec<AuditRow> = sqlx::query_as(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit WHERE case_id = $1 ORDER BY seq"
            ))
            .bind(case_id)
            .fetch_all(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            Ok(rows.into_iter().map(AuditEntry::from).collect())
        })
        .await
    }
}

impl desk_core::team::TeamLog for PgStore {
    async fn mirrored(&self, origin: &str) -> Result<i64, StoreError> {
        self.within(async {
            sqlx::query_scalar("SELECT desk_copied($1)")
                .bind(origin)
                .fetch_one(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))
        })
        .await
    }

    async fn mirror(&self, origin: &str, entries: &[AuditEntry]) -> Result<usize, StoreError> {
        self.within(async {
            // The server checks each entry against its own hash and the desk's previous one,
            // refuses one that differs from what it already holds for this desk, skips what an
            // earlier, unanswered attempt copied, and links the rest onto the team's chain.
            let batch =
                serde_json::to_value(entries).map_err(|e| StoreError::Failed(e.to_string()))?;
            self.within(async {
                let appended: i32 = sqlx::query_scalar("SELECT desk_copy($1, $2)")
                    .bind(origin)
                    .bind(batch)
                    .fetch_one(self.pool().await?)
                    .await
                    .map_err(|e| match e {
                        sqlx::Error::Database(db)
                            if matches!(db.code().as_deref(), Some("22000" | "23505")) =>
                        {
                            StoreError::Failed(db.message().to_owned())
                        }
                        e => self.failed(e),
                    })?;
                Ok(usize::try_from(appended).unwrap_or(0))
            })
            .await
        })
        .await
    }

    async fn announce(
        &self,
        origin: &str,
        _reviewer: &str,
        case_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.within(async {
            sqlx::query("SELECT desk_announce($1, $2)")
                .bind(origin)
                .bind(case_id)
                .execute(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))?;
            Ok(())
        })
        .await
    }

    async fn presence(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        day_start: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<desk_core::team::Presence>, StoreError> {
        self.within(async {
            let day = day_start.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            self.within(async {
                let rows: Vec<(String, Option<String>, chrono::DateTime<chrono::Utc>, i64)> =
                    sqlx::query_as("SELECT * FROM desk_presence($1, $2)")
                        .bind(since)
                        .bind(day)
                        .fetch_all(self.pool().await?)
                        .await
                        .map_err(|e| self.failed(e))?;
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
            })
            .await
        })
        .await
    }
}

impl desk_core::audit_view::AuditSearch for PgStore {
    async fn audit_search(
        &self,
        query: &desk_core::audit_view::AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.within(async {
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
                .map_err(|e| self.failed(e))?;
            Ok(rows.into_iter().map(AuditEntry::from).collect())
        })
        .await
    }

    async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        self.within(async {
            sqlx::query_scalar("SELECT DISTINCT actor FROM audit ORDER BY actor")
                .fetch_all(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))
        })
        .await
    }
}
