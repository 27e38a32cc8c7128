//! The team store on PostgreSQL: desk-core's `Journal` (outbox and hash-chained audit log)
//! shared by every desk of a team. Appenders from any number of processes serialize on one
//! transaction-scoped advisory lock, so they seal one chain; the same rules as SQLite hold (one
//! open decision per case, transitions only from the expected state, an append-only log).

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::outbox::{Action, ActionState};
use desk_core::ports::{Journal, StoreError};
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::{
    action_of, audit_conditions, audit_entry, is_unique_violation, json, AuditRow, Condition,
    AUDIT_COLUMNS,
};

/// The advisory lock every audit append takes (an arbitrary, fixed key).
const AUDIT_LOCK: i64 = 0x5245_5649_4557;

/// A server that does not answer is "unreachable" (the desk goes on alone and catches up);
/// anything else the server says is a failure.
fn failed(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unreachable(e.to_string()),
        e => StoreError::Failed(e.to_string()),
    }
}

fn migrate_failed(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::Execute(e) => failed(e),
        e => StoreError::Failed(e.to_string()),
    }
}

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Set once the migrations ran on this server (the first time it answered).
    ready: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl PgStore {
    /// A store for `url` (`postgres://user@host:port/db`) that connects when first used, so a
    /// desk opens even while its team store is away. The password comes from the caller
    /// (the OS credential store), never a file.
    pub fn lazy(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Failed(format!("not a PostgreSQL URL: {e}")))?;
        if let Some(password) = password {
            options = options.password(password);
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(3))
            .connect_lazy_with(options);
        Ok(Self {
            pool,
            ready: Default::default(),
        })
    }

    /// Connects to `url` now and applies the team store's migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::lazy(url, None)?;
        store.pool().await?;
        Ok(store)
    }

    /// The pool, once the server answered and the migrations ran.
    async fn pool(&self) -> Result<&PgPool, StoreError> {
        self.ready
            .get_or_try_init(|| async {
                sqlx::migrate!("./migrations_pg")
                    .run(&self.pool)
                    .await
                    .map_err(migrate_failed)
            })
            .await?;
        Ok(&self.pool)
    }
}

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
    let d = &entry.draft;
    sqlx::query(&format!(
        "INSERT INTO audit ({AUDIT_COLUMNS}, origin, origin_seq, origin_hash) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    ))
    .bind(entry.seq)
    .bind(&d.at)
    .bind(&d.actor)
    .bind(&d.action)
    .bind(&d.case_id)
    .bind(&d.action_id)
    .bind(&d.from_state)
    .bind(&d.to_state)
    .bind(&d.reason_id)
    .bind(&d.comment)
    .bind(&d.outcome)
    .bind(&d.token)
    .bind(&d.app_version)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
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

impl Journal for PgStore {
    async fn enqueue(&self, action: &Action, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        let mut tx = self.pool().await?.begin().await.map_err(failed)?;
        let inserted = sqlx::query(
            "INSERT INTO actions (id, token, case_id, kind, state, action) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&action.id)
        .bind(&action.token)
        .bind(&action.case_id)
        .bind(action.kind.as_str())
        .bind(action.state.as_str())
        .bind(json(action)?)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if is_unique_violation(&e) {
                // The failed statement ended this transaction: ask on a fresh connection.
                drop(tx);
                let open: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM actions WHERE case_id = $1 AND kind IN ('approve', 'decline', 'resubmit') AND state IN ('queued', 'sending')",
                )
                    .bind(&action.case_id)
                .fetch_optional(self.pool().await?)
                .await
                .map_err(failed)?;
                return Err(StoreError::AlreadyPending(open.unwrap_or_default()));
            }
            return Err(failed(e));
        }
        let entry = append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn transition(
        &self,
        expected: ActionState,
        next: &Action,
        audit: &AuditDraft,
    ) -> Result<AuditEntry, StoreError> {
        let mut tx = self.pool().await?.begin().await.map_err(failed)?;
        let changed =
            sqlx::query("UPDATE actions SET state = $1, action = $2 WHERE id = $3 AND state = $4")
                .bind(next.state.as_str())
                .bind(json(next)?)
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
        let entry = append(&mut tx, audit).await?;
        tx.commit().await.map_err(failed)?;
        Ok(entry)
    }

    async fn action(&self, id: &str) -> Result<Option<Action>, StoreError> {
        let text: Option<String> = sqlx::query_scalar("SELECT action FROM actions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool().await?)
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
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)?;
        rows.iter().map(|t| action_of(t)).collect()
    }

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
        Ok(rows.into_iter().map(audit_entry).collect())
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
        Ok(rows.into_iter().map(audit_entry).collect())
    }
}

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

type LookRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<String>,
);

const LOOK_COLUMNS: &str = "action_id, case_id, kind, rule, requested_by, reason_id, comment, \
     requested_at, answered_by, confirmed, note, answered_at";

fn look_of(row: LookRow) -> Result<desk_core::four_eyes::SecondLook, StoreError> {
    use desk_core::four_eyes::{Answer, FourEyesRule, SecondLook};
    let (action_id, case_id, kind, rule, requested_by, reason_id, comment, requested_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let answer = match (row.8, row.9, row.11) {
        (Some(by), Some(confirmed), Some(at)) => Some(Answer {
            by,
            confirmed,
            note: row.10,
            at,
        }),
        _ => None,
    };
    Ok(SecondLook {
        action_id,
        case_id,
        kind: desk_core::outbox::ActionKind::parse(&kind)
            .ok_or_else(|| StoreError::Failed(format!("unknown action kind {kind:?}")))?,
        rule: FourEyesRule::parse(&rule)
            .ok_or_else(|| StoreError::Failed(format!("unknown four-eyes rule {rule:?}")))?,
        requested_by,
        reason_id,
        comment,
        requested_at,
        answer,
    })
}

impl PgStore {
    /// One action's question for a second reviewer, answered or not.
    async fn look(
        &self,
        action_id: &str,
    ) -> Result<Option<desk_core::four_eyes::SecondLook>, StoreError> {
        let row: Option<LookRow> = sqlx::query_as(&format!(
            "SELECT {LOOK_COLUMNS} FROM second_looks WHERE action_id = $1"
        ))
        .bind(action_id)
        .fetch_optional(self.pool().await?)
        .await
        .map_err(failed)?;
        row.map(look_of).transpose()
    }
}

impl desk_core::four_eyes::FourEyes for PgStore {
    async fn policy(&self) -> Result<Vec<desk_core::four_eyes::FourEyesRule>, StoreError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT value FROM team_settings WHERE key = 'four_eyes'")
                .fetch_optional(self.pool().await?)
                .await
                .map_err(failed)?;
        Ok(value
            .unwrap_or_default()
            .split(',')
            .filter_map(desk_core::four_eyes::FourEyesRule::parse)
            .collect())
    }

    async fn set_policy(
        &self,
        rules: &[desk_core::four_eyes::FourEyesRule],
    ) -> Result<(), StoreError> {
        let value = rules
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO team_settings (key, value) VALUES ('four_eyes', $1) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(value)
        .execute(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(())
    }

    async fn ask(&self, look: &desk_core::four_eyes::SecondLook) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO second_looks (action_id, case_id, kind, rule, requested_by, reason_id, \
             comment, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (action_id) DO NOTHING",
        )
        .bind(&look.action_id)
        .bind(&look.case_id)
        .bind(look.kind.as_str())
        .bind(look.rule.as_str())
        .bind(&look.requested_by)
        .bind(&look.reason_id)
        .bind(&look.comment)
        .bind(&look.requested_at)
        .execute(self.pool().await?)
        .await
        .map_err(failed)?;
        Ok(())
    }

    async fn answer_of(
        &self,
        action_id: &str,
    ) -> Result<Option<desk_core::four_eyes::Answer>, StoreError> {
        Ok(self.look(action_id).await?.and_then(|l| l.answer))
    }

    async fn answer(
        &self,
        action_id: &str,
        answer: &desk_core::four_eyes::Answer,
    ) -> Result<
        Result<desk_core::four_eyes::SecondLook, desk_core::four_eyes::AnswerRefused>,
        StoreError,
    > {
        use desk_core::four_eyes::AnswerRefused as R;
        let row: Option<LookRow> = sqlx::query_as(&format!(
            "UPDATE second_looks SET answered_by = $2, confirmed = $3, note = $4, answered_at = $5 \
             WHERE action_id = $1 AND answered_by IS NULL AND requested_by <> $2 \
             RETURNING {LOOK_COLUMNS}"
        ))
        .bind(action_id)
        .bind(&answer.by)
        .bind(answer.confirmed)
        .bind(&answer.note)
        .bind(&answer.at)
        .fetch_optional(self.pool().await?)
        .await
        .map_err(failed)?;
        if let Some(row) = row {
            return Ok(Ok(look_of(row)?));
        }
        Ok(Err(match self.look(action_id).await? {
            None => R::Unknown(action_id.to_owned()),
            Some(l) => match l.answer {
                Some(a) => R::Answered(a.by),
                None => R::OwnAction,
            },
        }))
    }

    async fn pending(&self) -> Result<Vec<desk_core::four_eyes::SecondLook>, StoreError> {
        let rows: Vec<LookRow> = sqlx::query_as(&format!(
            "SELECT {LOOK_COLUMNS} FROM second_looks WHERE answered_by IS NULL ORDER BY requested_at"
        ))
        .fetch_all(self.pool().await?)
        .await
        .map_err(failed)?;
        rows.into_iter().map(look_of).collect()
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
        Ok(rows.into_iter().map(audit_entry).collect())
    }

    async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT DISTINCT actor FROM audit ORDER BY actor")
            .fetch_all(self.pool().await?)
            .await
            .map_err(failed)
    }
}

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
