//! Claims on the team store (desk-core's `ClaimStore`): leases on the server's clock, and the
//! notifications of their changes.

use desk_core::ports::StoreError;

use super::{failed, PgStore};

type Timestamp = chrono::DateTime<chrono::Utc>;
type ClaimRow = (String, String, Timestamp, Timestamp);

fn claim_of((case_id, holder, claimed_at, expires_at): ClaimRow) -> desk_core::claims::Claim {
    desk_core::claims::Claim {
        case_id,
        holder,
        claimed_at: claimed_at.to_rfc3339(),
        expires_at: expires_at.to_rfc3339(),
    }
}

const CLAIM_COLUMNS: &str = "case_id, holder, claimed_at, expires_at";

/// The lease a desk asks for, as seconds on the server's clock: only its length counts, so a
/// desk whose clock is off still gets what it asked for, and the server bounds it.
fn lease_seconds(until: chrono::DateTime<chrono::Utc>) -> i32 {
    let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
    i32::try_from(seconds).unwrap_or(i32::MAX)
}

impl desk_core::claims::ClaimStore for PgStore {
    async fn claim_first(
        &self,
        candidates: &[String],
        _holder: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<desk_core::claims::Claim>, StoreError> {
        // The server walks the candidates in order and takes the first free one for the
        // session's member, passing over any another desk is taking at this moment.
        self.within(async {
            let row: Option<ClaimRow> = sqlx::query_as(&format!(
                "SELECT {CLAIM_COLUMNS} FROM desk_claim_first($1::text[], $2)"
            ))
            .bind(candidates)
            .bind(lease_seconds(until))
            .fetch_optional(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            Ok(row.map(claim_of))
        })
        .await
    }

    async fn release(&self, case_id: &str, _holder: &str) -> Result<bool, StoreError> {
        self.within(async {
            sqlx::query_scalar("SELECT desk_claim_release($1)")
                .bind(case_id)
                .fetch_one(self.pool().await?)
                .await
                .map_err(|e| self.failed(e))
        })
        .await
    }

    async fn release_any(
        &self,
        case_id: &str,
    ) -> Result<Option<desk_core::claims::Claim>, StoreError> {
        self.within(async {
            let row: Option<ClaimRow> = sqlx::query_as(&format!(
                "SELECT {CLAIM_COLUMNS} FROM desk_claim_release_any($1)"
            ))
            .bind(case_id)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            Ok(row.map(claim_of))
        })
        .await
    }

    async fn hold(
        &self,
        case_id: &str,
        _holder: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<desk_core::claims::Hold, StoreError> {
        use desk_core::claims::Hold;
        self.within(async {
            // Taken when free or lapsed, renewed when already ours; if the holder lets go
            // between the server's two statements, ask again.
            for _ in 0..16 {
                let row: Option<(String, String, Timestamp, Timestamp, bool)> =
                    sqlx::query_as(&format!(
                        "SELECT {CLAIM_COLUMNS}, holder_login = session_user \
                         FROM desk_claim_hold($1, $2)"
                    ))
                    .bind(case_id)
                    .bind(lease_seconds(until))
                    .fetch_optional(self.pool().await?)
                    .await
                    .map_err(|e| self.failed(e))?;
                if let Some((case, by, from, to, mine)) = row {
                    let claim = claim_of((case, by, from, to));
                    return Ok(if mine {
                        Hold::Held(claim)
                    } else {
                        Hold::HeldBy(claim)
                    });
                }
            }
            Err(StoreError::Failed(format!(
                "could not hold {case_id}: its claim kept changing hands"
            )))
        })
        .await
    }

    async fn claims(&self) -> Result<Vec<desk_core::claims::Claim>, StoreError> {
        self.within(async {
            let rows: Vec<ClaimRow> = sqlx::query_as(&format!(
                "SELECT {CLAIM_COLUMNS} FROM claims WHERE expires_at >= now() \
                 ORDER BY claimed_at, case_id"
            ))
            .fetch_all(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            Ok(rows.into_iter().map(claim_of).collect())
        })
        .await
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
