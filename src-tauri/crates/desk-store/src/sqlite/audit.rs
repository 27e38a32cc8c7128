//! The audit log (desk-core's `AuditLog`) and the lead's search of it.

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::ports::{AuditLog, StoreError};

use super::SqliteStore;
use crate::rows::{failed, AuditRow, AUDIT_COLUMNS};

/// An entry from `json_array(AUDIT_COLUMNS)`.
fn audit_json(row: &str) -> Result<AuditEntry, StoreError> {
    let row: AuditRow = serde_json::from_str(row).map_err(failed)?;
    Ok(row.into())
}

impl desk_core::audit_view::AuditSearch for SqliteStore {
    async fn audit_search(
        &self,
        query: &desk_core::audit_view::AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if query.among.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        self.readers.search(query, before, limit).await
    }

    async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT DISTINCT actor FROM audit ORDER BY actor")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)
    }
}

impl AuditLog for SqliteStore {
    async fn append_audit(&self, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        let mut tx = self.immediate().await?;
        let entry = super::append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.readers.page(after, limit).await
    }

    async fn audit_links(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<desk_core::audit::ChainLink>, StoreError> {
        self.readers.links(after, limit).await
    }

    async fn audit_scan<V: desk_core::audit::AuditVisitor>(
        &self,
        from: i64,
        to: i64,
        visitor: V,
    ) -> Result<V, StoreError> {
        self.readers.scan(from, to, visitor).await
    }

    async fn audit_max_seq(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MAX(seq) FROM audit")
            .fetch_one(&self.pool)
            .await
            .map_err(failed)
    }

    async fn case_audit(&self, case_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT json_array({AUDIT_COLUMNS}) FROM audit WHERE case_id = ? ORDER BY seq"
        ))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.iter().map(|row| audit_json(row)).collect()
    }
}
