//! A stateful simulator of the Didit v3 and DHMAD v1 APIs, written from the wire format in
//! api-facts.md, and of VerifyHQ's identity verifications, written from seed 004 (it shares no
//! types with the clients). Seeded, deterministic data; documented
//! auth, errors, rate limits and trailing-slash redirects; fault injection and a ledger of every
//! applied effect under `/_sandbox/`.

#![recursion_limit = "256"]
// Handlers return a finished error `Response` as their `Err`: that is the axum idiom here.
#![allow(clippy::result_large_err)]

mod changes;
mod control;
mod decision;
mod dhmad;
mod didit;
mod faults;
mod http;
mod rate;
mod records;
mod reply;
mod seed;
mod state;
#[cfg(feature = "testkit")]
mod testkit;
mod verifyhq;
mod world;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::oneshot;

use world::{Session, World};

pub use faults::Faults;
pub use rate::RateConfig;
pub use state::{AppState, Shared};
#[cfg(feature = "testkit")]
pub use testkit::Probe;

/// The Didit key a default sandbox accepts.
pub const DEFAULT_DIDIT_KEY: &str = "sandbox_didit_key_0123456789abcdef";
/// The DHMAD key a default sandbox accepts (sandbox prefix: new verifications auto-approve).
pub const DEFAULT_DHMAD_KEY: &str =
    "sk_sandbox_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// The VerifyHQ key a default sandbox accepts.
pub const DEFAULT_VERIFYHQ_KEY: &str = "vhq_sandbox_key_0123456789abcdef";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// 127.0.0.1:0 picks a free port.
    pub addr: SocketAddr,
    /// Sessions In Review (about a tenth more are added in other states).
    pub sessions: usize,
    pub seed: u64,
    /// A directory of decision JSON files served as extra sessions, as they are.
    pub fixtures: Option<PathBuf>,
    pub didit_key: String,
    pub dhmad_key: String,
    pub verifyhq_key: String,
    pub rate: RateConfig,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            sessions: 200,
            seed: 7,
            fixtures: None,
            didit_key: DEFAULT_DIDIT_KEY.to_owned(),
            dhmad_key: DEFAULT_DHMAD_KEY.to_owned(),
            verifyhq_key: DEFAULT_VERIFYHQ_KEY.to_owned(),
            rate: RateConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("at most 100000 sessions, not {0}")]
    TooManySessions(usize),
    #[error("the DHMAD key must look like sk_sandbox_ or sk_live_ followed by 64 hex digits")]
    BadDhmadKey,
    #[error("fixture {path}: {message}")]
    Fixture { path: String, message: String },
}

/// A running sandbox; dropping it stops the server.
pub struct RunningSandbox {
    pub base_url: String,
    pub didit_key: String,
    pub dhmad_key: String,
    pub verifyhq_key: String,
    /// The VerifyHQ users the sandbox was seeded with, in order.
    pub verifyhq_users: Vec<String>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RunningSandbox {
    pub fn didit_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn dhmad_url(&self) -> String {
        format!("{}/api/v1", self.base_url)
    }

    /// VerifyHQ's base, under which the seed's paths (`/verifications/identity…`) live.
    pub fn verifyhq_url(&self) -> String {
        format!("{}/v1", self.base_url)
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds and serves on the current Tokio runtime, seeding the world as it starts.
///
/// Without fixtures, the Didit and DHMAD world is generated in the server task after this
/// returns (requests made meanwhile wait in the listen backlog): a desk opening on the sandbox
/// shows its cached queue without waiting for 10,000 sessions to be made up. VerifyHQ's
/// verifications are seeded here (their users are part of the answer). With fixtures, the world
/// is ready before this returns, so a fixture's error is this call's error.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    if config.sessions > 100_000 {
        return Err(SandboxError::TooManySessions(config.sessions));
    }
    if !dhmad::valid_key(&config.dhmad_key) {
        return Err(SandboxError::BadDhmadKey);
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: config.addr,
        source,
    })?;
    let base_url = format!("http://{addr}");
    let now = chrono::Utc::now();
    let verifyhq = world::seed_verifyhq(config.seed, config.sessions, now);
    let mut verifyhq_users: Vec<String> = Vec::new();
    for v in &verifyhq {
        if !verifyhq_users.contains(&v.user_id) {
            verifyhq_users.push(v.user_id.clone());
        }
    }
    let (seed, sessions) = (config.seed, config.sessions);
    let make = move || world::World::generate_beside(seed, sessions, now, verifyhq);
    let world = match &config.fixtures {
        Some(dir) => {
            let mut world = make();
            load_fixtures(&mut world, dir)?;
            Seeding::Ready(world)
        }
        None => Seeding::Later(make),
    };
    let (tx, rx) = oneshot::channel::<()>();
    let serving = ServeWith {
        didit_key: config.didit_key.clone(),
        dhmad_key: config.dhmad_key.clone(),
        verifyhq_key: config.verifyhq_key.clone(),
        base_url: base_url.clone(),
        rate: config.rate,
    };
    tokio::spawn(async move {
        let world = match world {
            Seeding::Ready(world) => world,
            Seeding::Later(make) => match tokio::task::spawn_blocking(make).await {
                Ok(world) => world,
                Err(error) => {
                    tracing::error!(%error, "the sandbox's world could not be generated");
                    return;
                }
            },
        };
        serving.serve(listener, world, rx).await;
    });
    Ok(RunningSandbox {
        base_url,
        didit_key: config.didit_key,
        dhmad_key: config.dhmad_key,
        verifyhq_key: config.verifyhq_key,
        verifyhq_users,
        shutdown: Some(tx),
    })
}

/// The world, made before `start` returns or to be made by the server task.
enum Seeding<F> {
    Ready(world::World),
    Later(F),
}

/// What the server task needs besides the world.
struct ServeWith {
    didit_key: String,
    dhmad_key: String,
    verifyhq_key: String,
    base_url: String,
    rate: RateConfig,
}

impl ServeWith {
    async fn serve(
        self,
        listener: tokio::net::TcpListener,
        world: world::World,
        stop: oneshot::Receiver<()>,
    ) {
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            windows: Mutex::new(rate::Windows::new(self.rate)),
            faults: Mutex::new(Faults::default()),
            didit_key: self.didit_key,
            dhmad_key: self.dhmad_key,
            verifyhq_key: self.verifyhq_key,
            base_url: self.base_url,
        });
        let app = http::router(shared);
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stop.await;
        });
        if let Err(error) = server.await {
            tracing::error!(%error, "sandbox server stopped");
        }
    }
}

/// Adds every `*.json` decision in `dir` as a session, served as is.
pub fn load_fixtures(world: &mut World, dir: &Path) -> Result<(), SandboxError> {
    let fail = |path: &Path, message: String| SandboxError::Fixture {
        path: path.display().to_string(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| fail(dir, e.to_string()))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read(&path).map_err(|e| fail(&path, e.to_string()))?;
        let body: Value = serde_json::from_slice(&text).map_err(|e| fail(&path, e.to_string()))?;
        let id = body["session_id"]
            .as_str()
            .ok_or_else(|| fail(&path, "no session_id".into()))?
            .to_owned();
        if world.find(&id).is_some() {
            return Err(fail(&path, format!("session {id} exists already")));
        }
        let number = body["session_number"]
            .as_i64()
            .unwrap_or(world.sessions.len() as i64 + 1000);
        let created_at = body["created_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
        world.sessions.push(Session {
            id,
            number,
            status: body["status"].as_str().unwrap_or("In Review").to_owned(),
            workflow: 0,
            person: 0,
            created_at,
            warnings: Vec::new(),
            redo: Default::default(),
            fixture: Some(body),
            reviews: Vec::new(),
            index: world.sessions.len() as u64,
            aml_reviews: Default::default(),
            aml_status: None,
        });
    }
    Ok(())
}
