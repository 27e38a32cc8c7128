//! The team's VerifyHQ watch list (desk-core's `WatchStore`).

use desk_core::ports::StoreError;

use super::PgStore;

impl desk_core::watch::WatchStore for PgStore {
    async fn watched(&self) -> Result<Vec<String>, StoreError> {
        self.within(async {
            sqlx::query_scalar("SELECT user_id FROM verifyhq_watch ORDER BY position")
                .fetch_all(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))
        })
        .await
    }

    async fn change_watched(
        &self,
        add: &[String],
        remove: &[String],
        _by: &str,
    ) -> Result<Vec<String>, StoreError> {
        // Changed as the session's member, under one lock, never beyond the bound (the server
        // checks it: refused, nothing changes).
        self.within(async {
            sqlx::query_scalar("SELECT * FROM desk_watch_change($1::text[], $2::text[])")
                .bind(add)
                .bind(remove)
                .fetch_all(self.pool().await?)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("22023") => {
                        StoreError::Failed(db.message().to_owned())
                    }
                    e => self.failed(e),
                })
        })
        .await
    }
}
