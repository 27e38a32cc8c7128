//! Claims on the team store (desk-core's `ClaimStore`): leases on the server's clock, and the
//! notifications of their changes.

use desk_core::ports::StoreError;

use super::{failed, PgStore};

type ClaimRow = (
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
);

fn claim_of((case_id, holder, claimed_at, expires_at): ClaimRow) -> desk_core::claims::Claim {
    desk_core::claims::Claim {
        case_id,
        holder,
        claimed_at: claimed_at.to_rfc3339(),
        expires_at: expires_at.to_rfc3339(),
    }
}

impl desk_core::claims::ClaimStore for PgStore {
    async fn claim_first(
        &self,
        candidates: &[String],
        holder: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<desk_core::claims::Claim>, StoreError> {
        // The database walks the candidates in order and takes the first free one, passing
        // over any another desk is taking at this moment (see migration 0004).
        let row: Option<ClaimRow> = sqlx::query_as(
            "SELECT case_id, holder, claimed_at, expires_at FROM claim_first($1::text[], $2, $3)",
        )
        .bind(candidates)
        .bind(holder)
        .bind(until)
        .fetch_optional(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(row.map(claim_of))
    }

    async fn release(&self, case_id: &str, holder: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM claims WHERE case_id = $1 AND holder = $2")
            .bind(case_id)
            .bind(holder)
            .execute(self.pool().await?)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_any(
        &self,
        case_id: &str,
    ) -> Result<Option<desk_core::claims::Claim>, StoreError> {
        let row: Option<ClaimRow> = sqlx::query_as(
            "DELETE FROM claims WHERE case_id = $1 \
             RETURNING case_id, holder, claimed_at, expires_at",
        )
        .bind(case_id)
        .fetch_optional(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(row.map(claim_of))
    }

    async fn hold(
        &self,
        case_id: &str,
        holder: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<desk_core::claims::Hold, StoreError> {
        use desk_core::claims::Hold;
        // Taken when free or lapsed, renewed when already ours; the row lock settles a race.
        // If the holder lets go between the two statements, ask again.
        for _ in 0..16 {
            let row: Option<ClaimRow> = sqlx::query_as(
                "INSERT INTO claims (case_id, holder, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (case_id) DO UPDATE SET holder = EXCLUDED.holder, \
                     claimed_at = CASE WHEN claims.holder = EXCLUDED.holder \
                         AND claims.expires_at >= now() THEN claims.claimed_at ELSE now() END, \
                     expires_at = EXCLUDED.expires_at \
                 WHERE claims.holder = EXCLUDED.holder OR claims.expires_at < now() \
                 RETURNING case_id, holder, claimed_at, expires_at",
            )
            .bind(case_id)
            .bind(holder)
            .bind(until)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(failed)?;
            if let Some(row) = row {
                return Ok(Hold::Held(claim_of(row)));
            }
            let other: Option<ClaimRow> = sqlx::query_as(
                "SELECT case_id, holder, claimed_at, expires_at FROM claims WHERE case_id = $1",
            )
            .bind(case_id)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(failed)?;
            if let Some(row) = other {
                return Ok(Hold::HeldBy(claim_of(row)));
            }
        }
        Err(StoreError::Failed(format!(
            "could not hold {case_id}: its claim kept changing hands"
        )))
    }

    async fn claims(&self) -> Result<Vec<desk_core::claims::Claim>, StoreError> {
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT case_id, holder, claimed_at, expires_at FROM claims \
             WHERE expires_at >= now() ORDER BY claimed_at, case_id",
        )
        .fetch_all(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(rows.into_iter().map(claim_of).collect())
    }
}

impl PgStore {
    /// Waits for claim changes announced by any desk (LISTEN): each item is a case id whose
    /// claim was taken, renewed or let go. Ends when the connection drops.
    pub async fn claim_changes(
        &self,
    ) -> Result<impl futures_util::Stream<Item = Result<String, StoreError>>, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(self.pool().await?)
            .await
            .map_err(failed)?;
        listener
            .listen("review_desk_claims")
            .await
            .map_err(failed)?;
        Ok(futures_util::StreamExt::map(listener.into_stream(), |n| {
            n.map(|n| n.payload().to_owned()).map_err(failed)
        }))
    }
}
