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

/// The changes a listening desk hears of (see `PgStore::claim_changes`).
pub type ChangeStream = futures_util::stream::BoxStream<'static, Result<String, StoreError>>;

/// How often a listening desk reads the change table anyway, the last resort when an
/// announcement was lost without the connection saying so (a paused server, a half-open
/// connection): a silent server is noticed then, and what was missed is read.
pub const CHANGES_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a listener waits before listening again after it lost the server.
const LISTEN_AGAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// A listening desk: the notifications of its connection, and where it is in the change
/// table, so nothing announced while it was not listening is lost.
struct ChangeFeed {
    store: PgStore,
    poll: std::time::Duration,
    /// The last change seen (from an announcement or the table).
    seen: i64,
    listener: Option<sqlx::postgres::PgListener>,
    ready: std::collections::VecDeque<String>,
    /// Whether the last thing said was that the server is away.
    away: bool,
}

impl ChangeFeed {
    async fn listen(&mut self) -> Result<(), StoreError> {
        let store = self.store.clone();
        let listener = self
            .store
            .within(async {
                let mut listener = sqlx::postgres::PgListener::connect_with(store.pool().await?)
                    .await
                    .map_err(failed)?;
                listener
                    .listen("review_desk_claims")
                    .await
                    .map_err(failed)?;
                Ok(listener)
            })
            .await?;
        self.listener = Some(listener);
        Ok(())
    }

    /// Reads the changes after the last one seen.
    async fn catch_up(&mut self) -> Result<(), StoreError> {
        let rows: Vec<(i64, String)> = self
            .store
            .within(async {
                sqlx::query_as(
                    "SELECT seq, case_id FROM team_changes WHERE seq > $1 ORDER BY seq LIMIT 10000",
                )
                .bind(self.seen)
                .fetch_all(self.store.pool().await?)
                .await
                .map_err(failed)
            })
            .await?;
        for (seq, case_id) in rows {
            self.seen = self.seen.max(seq);
            self.ready.push_back(case_id);
        }
        Ok(())
    }

    /// The server went away: listen again later, and say so once.
    fn lost(&mut self, error: StoreError) -> Option<StoreError> {
        self.listener = None;
        (!std::mem::replace(&mut self.away, true)).then_some(error)
    }

    async fn next(mut self) -> Option<(Result<String, StoreError>, Self)> {
        loop {
            if let Some(case_id) = self.ready.pop_front() {
                return Some((Ok(case_id), self));
            }
            let Some(listener) = self.listener.as_mut() else {
                let listened = match self.listen().await {
                    Ok(()) => self.catch_up().await,
                    Err(e) => Err(e),
                };
                match listened {
                    Ok(()) => self.away = false,
                    Err(e) => {
                        if let Some(said) = self.lost(e) {
                            return Some((Err(said), self));
                        }
                        tokio::time::sleep(LISTEN_AGAIN).await;
                    }
                }
                continue;
            };
            match tokio::time::timeout(self.poll, listener.try_recv()).await {
                Ok(Ok(Some(notice))) => {
                    let (seq, case_id) = notice
                        .payload()
                        .split_once(' ')
                        .map(|(s, c)| (s.parse().unwrap_or(0), c.to_owned()))
                        .unwrap_or((0, notice.payload().to_owned()));
                    if seq > self.seen {
                        // One missed in between is read from the table.
                        if seq > self.seen + 1 {
                            if let Err(e) = self.catch_up().await {
                                if let Some(said) = self.lost(e) {
                                    return Some((Err(said), self));
                                }
                            }
                        } else {
                            self.seen = seq;
                            self.ready.push_back(case_id);
                        }
                    }
                }
                // The connection dropped (sqlx listens again on the next call): what was
                // announced meanwhile is read from the table.
                Ok(Ok(None)) => {
                    if let Err(e) = self.catch_up().await {
                        if let Some(said) = self.lost(e) {
                            return Some((Err(said), self));
                        }
                    }
                }
                Ok(Err(e)) => {
                    if let Some(said) = self.lost(failed(e)) {
                        return Some((Err(said), self));
                    }
                }
                // Nothing heard for a while: read the table, which also finds a silent server.
                Err(_) => {
                    if let Err(e) = self.catch_up().await {
                        if let Some(said) = self.lost(e) {
                            return Some((Err(said), self));
                        }
                    }
                }
            }
        }
    }
}

impl PgStore {
    /// Claim and second-look changes made by any desk: each item is a case id whose claim was
    /// taken, renewed or let go (or an `Err` once when the server went away). Never ends: it
    /// listens again after the server comes back and reads what it missed meanwhile.
    pub async fn claim_changes(&self) -> Result<ChangeStream, StoreError> {
        self.claim_changes_every(CHANGES_POLL, None).await
    }

    /// `claim_changes`, reading the change table every `poll`, from after change `after`
    /// (None: from now on).
    pub async fn claim_changes_every(
        &self,
        poll: std::time::Duration,
        after: Option<i64>,
    ) -> Result<ChangeStream, StoreError> {
        let seen = match after {
            Some(seq) => seq,
            None => {
                self.within(async {
                    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM team_changes")
                        .fetch_one(self.pool().await?)
                        .await
                        .map_err(|e| self.failed(e))
                })
                .await?
            }
        };
        let mut feed = ChangeFeed {
            store: self.clone(),
            poll,
            seen,
            listener: None,
            ready: Default::default(),
            away: false,
        };
        feed.listen().await?;
        if after.is_some() {
            feed.catch_up().await?;
        }
        Ok(futures_util::StreamExt::boxed(
            futures_util::stream::unfold(feed, ChangeFeed::next),
        ))
    }
}
