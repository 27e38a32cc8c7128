//! The outbox (desk-core's `OutboxStore`): one open decision per case, transitions only from
//! the state expected, each with its audit entry in the same transaction.

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::outbox::{Action, ActionState};
use desk_core::ports::{OutboxStore, StoreError};

use super::SqliteStore;
use crate::rows::failed;

pub(crate) fn action_of(text: &str) -> Result<Action, StoreError> {
    serde_json::from_str(text).map_err(failed)
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

impl OutboxStore for SqliteStore {
    async fn enqueue(&self, action: &Action, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        let mut tx = self.immediate().await?;
        let inserted = sqlx::query(
            "INSERT INTO actions (id, token, case_id, kind, state, action) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&action.id)
        .bind(&action.token)
        .bind(&action.case_id)
        .bind(action.kind.as_str())
        .bind(action.state.as_str())
        .bind(super::json(action)?)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if is_unique_violation(&e) {
                let open: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM actions WHERE case_id = ? AND kind IN ('approve', 'decline', 'resubmit') AND state IN ('queued', 'sending')",
                )
                .bind(&action.case_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(failed)?;
                return Err(StoreError::AlreadyPending(open.unwrap_or_default()));
            }
            return Err(failed(e));
        }
        let entry = super::append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn transition(
        &self,
        expected: ActionState,
        next: &Action,
        audit: &AuditDraft,
    ) -> Result<AuditEntry, StoreError> {
        let mut tx = self.immediate().await?;
        let changed =
            sqlx::query("UPDATE actions SET state = ?, action = ? WHERE id = ? AND state = ?")
                .bind(next.state.as_str())
                .bind(super::json(next)?)
                .bind(&next.id)
                .bind(expected.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        StoreError::AlreadyPending(next.case_id.clone())
                    } else {
                        failed(e)
                    }
                })?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Stale(expected.as_str().to_owned()));
        }
        let entry = super::append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn action(&self, id: &str) -> Result<Option<Action>, StoreError> {
        let text: Option<String> = sqlx::query_scalar("SELECT action FROM actions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        text.as_deref().map(action_of).transpose()
    }

    async fn actions(&self, open_only: bool) -> Result<Vec<Action>, StoreError> {
        let sql = if open_only {
            "SELECT action FROM actions WHERE state IN ('queued', 'sending') ORDER BY seq"
        } else {
            "SELECT action FROM actions ORDER BY seq"
        };
        let rows: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        rows.iter().map(|t| action_of(t)).collect()
    }

    async fn count_actions(&self, state: ActionState) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM actions WHERE state = ?")
            .bind(state.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
