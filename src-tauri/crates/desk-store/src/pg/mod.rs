//! The team store on PostgreSQL: the team's hash-chained audit log (desk-core's `AuditLog`)
//! shared by every desk of a team, its claims, four-eyes questions, presence and watch list.
//! Each member logs in as themselves; the server's functions (migration 0009) take who acts
//! from that login and the time from the server's clock, and are the only way to change
//! anything. A desk's actions stay in its own outbox (SQLite): only that desk sends them.
//!
//! Its rooms: `address` (the URL, TLS and connection failures in words), `admin` (what the
//! administrator runs: init, upgrade, members), `audit` (the team's chain, its search, the
//! copies of each desk's log), `claims`, `four_eyes` and `watch`.

use std::future::Future;
use std::time::Duration;

use desk_core::ports::StoreError;
use sqlx::postgres::{PgPool, PgPoolOptions};

mod address;
mod admin;
mod audit;
mod claims;
mod four_eyes;
mod watch;

pub use address::TeamAddress;
pub use admin::{new_password, role_name, valid_login, TeamAdmin, TeamMember};

/// The longest a desk waits on the team store for one operation: a server that stops
/// answering mid-statement (paused, half-open connection) becomes "unreachable" by then.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(8);

/// The team store's migrations, applied by the administrator only.
fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations_pg")
}

fn failed(e: sqlx::Error) -> StoreError {
    address::connect_failure(e, None)
}

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    address: std::sync::Arc<TeamAddress>,
    /// Set once the server answered with a schema this desk can work with.
    ready: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl PgStore {
    /// A store for `url` (`postgres://LOGIN@HOST:PORT/DATABASE`) that connects when first
    /// used, so a desk opens even while its team store is away. The password comes from the
    /// caller (the OS credential store), never a file or the environment.
    pub fn lazy(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        address::foreign_environment()?;
        let address = TeamAddress::parse(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(3))
            .connect_lazy_with(address.options(password));
        Ok(Self {
            pool,
            address: std::sync::Arc::new(address),
            ready: Default::default(),
        })
    }

    /// Connects to `url` as a member now, checking the schema is the one this desk needs.
    pub async fn connect(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        let store = Self::lazy(url, password)?;
        store.pool().await?;
        Ok(store)
    }

    pub fn address(&self) -> &TeamAddress {
        &self.address
    }

    /// A failure of this store's server, said with its address.
    fn failed(&self, e: sqlx::Error) -> StoreError {
        address::connect_failure(e, Some(&self.address))
    }

    /// Runs one operation on the team store, giving up after `ANSWER_WITHIN`.
    async fn within<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(ANSWER_WITHIN, operation).await {
            Ok(done) => done,
            Err(_) => Err(StoreError::Unreachable(format!(
                "{}:{} did not answer within {} s",
                self.address.host,
                self.address.port,
                ANSWER_WITHIN.as_secs()
            ))),
        }
    }

    /// The pool, once the server answered and its schema is the one this desk was built for.
    /// Desks never migrate: an older schema is the administrator's to upgrade.
    async fn pool(&self) -> Result<&PgPool, StoreError> {
        self.ready
            .get_or_try_init(|| async {
                let applied: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => {
                        StoreError::Failed(
                            "this team store is not set up: ask your administrator to run `desk team init`".into(),
                        )
                    }
                    e => self.failed(e),
                })?;
                let needed = migrator().iter().map(|m| m.version).max().unwrap_or(0);
                match applied {
                    Some(v) if v >= needed => Ok(()),
                    _ => Err(StoreError::Failed(format!(
                        "the team store's schema is older than this desk needs (version {} of {needed}): ask your administrator to run `desk team upgrade`",
                        applied.unwrap_or(0)
                    ))),
                }
            })
            .await?;
        Ok(&self.pool)
    }
}
