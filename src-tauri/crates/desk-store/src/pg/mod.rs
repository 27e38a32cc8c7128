//! The team store on PostgreSQL: the team's hash-chained audit log (desk-core's `AuditLog`)
//! shared by every desk of a team, its claims, four-eyes questions, presence and watch list.
//! Appenders from any number of processes serialize on one transaction-scoped advisory lock,
//! so they seal one chain; the log is append-only in the database itself. A desk's actions
//! stay in its own outbox (SQLite): only that desk sends them.
//!
//! Its rooms: `audit` (the team's chain, its search, the copies of each desk's log), `claims`,
//! `four_eyes` and `watch`.

use std::str::FromStr;

use desk_core::ports::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

mod audit;
mod claims;
mod four_eyes;
mod watch;

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
