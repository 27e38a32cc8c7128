//! The team's VerifyHQ watch list (desk-core's `WatchStore`).

use desk_core::ports::StoreError;

use super::{failed, PgStore};

/// The lock a watch-list change takes, so the bound holds across desks (an arbitrary key).
const WATCH_LOCK: i64 = 0x5648_5157_4154;

impl desk_core::watch::WatchStore for PgStore {
    async fn watched(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT user_id FROM verifyhq_watch ORDER BY position")
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)
    }

    async fn change_watched(
        &self,
        add: &[String],
        remove: &[String],
        by: &str,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool().await?.begin().await.map_err(failed)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WATCH_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        sqlx::query("DELETE FROM verifyhq_watch WHERE user_id = ANY($1)")
            .bind(remove)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        let at = chrono::Utc::now().to_rfc3339();
        for user in add {
            sqlx::query(
                "INSERT INTO verifyhq_watch (user_id, added_by, added_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user)
            .bind(by)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        }
        let users: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM verifyhq_watch ORDER BY position")
                .fetch_all(&mut *tx)
                .await
                .map_err(failed)?;
        if users.len() > desk_core::watch::MAX_WATCHED {
            // Dropped with the transaction: nothing changes.
            return Err(StoreError::Failed(
                desk_core::watch::WatchError::TooMany(users.len()).to_string(),
            ));
        }
        tx.commit().await.map_err(failed)?;
        Ok(users)
    }
}
