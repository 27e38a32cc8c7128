//! The desktop shell: resolves the data directory, starts logging and (for the Sandbox profile)
//! the in-process simulator, wires desk-core to its adapters, and exposes command shims.
//! Business logic lives in desk-core and the adapter crates, never here.

mod commands;
mod logging;

use std::path::PathBuf;
use std::sync::Arc;

use desk_core::paths;
use desk_core::review::{Desk, Reviewer, SystemClock};
use desk_store::SqliteStore;
use didit::{DiditClient, DiditConfig};
use secrecy::SecretString;
use tauri::{Emitter, Manager};

pub type AppDesk = Desk<DiditClient, SqliteStore, SystemClock>;

/// State every command can read.
pub struct Shell {
    pub profile: String,
    pub simulated: bool,
    pub data_dir: PathBuf,
    pub desk: Arc<AppDesk>,
    pub sla: chrono::Duration,
    /// Keeps the in-process sandbox alive for the app's lifetime.
    _sandbox: Option<sandbox::RunningSandbox>,
}

/// Event telling the UI to refetch the queue. Carries no data.
pub const QUEUE_CHANGED: &str = "queue-changed";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The built-in Sandbox profile: the simulator on a random loopback port, a client for it and
/// this profile's SQLite file. Test knobs: REVIEW_DESK_SANDBOX_SESSIONS, REVIEW_DESK_SANDBOX_DIDIT_KEY.
async fn sandbox_profile(
    data_dir: &std::path::Path,
) -> Result<(AppDesk, sandbox::RunningSandbox), Box<dyn std::error::Error>> {
    let sessions = env_or("REVIEW_DESK_SANDBOX_SESSIONS", "200")
        .parse()
        .unwrap_or(200);
    let didit_key = env_or("REVIEW_DESK_SANDBOX_DIDIT_KEY", sandbox::DEFAULT_DIDIT_KEY);
    let running = sandbox::start(sandbox::SandboxConfig {
        sessions,
        didit_key,
        ..sandbox::SandboxConfig::default()
    })
    .await?;
    tracing::info!(url = %running.base_url, sessions, "sandbox listening");
    let client = DiditClient::new(DiditConfig::new(
        &running.didit_url(),
        SecretString::from(running.didit_key.clone()),
    )?)?;
    let store = SqliteStore::open(&data_dir.join("desk.sqlite")).await?;
    let reviewer = Reviewer {
        name: env_or("REVIEW_DESK_REVIEWER_NAME", "Sandbox Reviewer"),
        email: env_or("REVIEW_DESK_REVIEWER_EMAIL", "reviewer@sandbox.dhmad.tn"),
    };
    Ok((Desk::new(client, store, SystemClock, reviewer), running))
}

pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let platform_default = app.path().app_data_dir()?;
            let override_value = std::env::var(paths::DATA_ROOT_ENV).ok();
            let root = paths::data_root(override_value.as_deref(), &platform_default);
            let profile = "Sandbox".to_owned();
            let data_dir = paths::profile_dir(&root, &profile);
            std::fs::create_dir_all(&data_dir)?;
            let guard = logging::init(&data_dir.join("logs"))?;
            app.manage(guard);
            tracing::info!(profile = %profile, "review desk started");
            let (desk, running) = tauri::async_runtime::block_on(sandbox_profile(&data_dir))?;
            let desk = Arc::new(desk);
            app.manage(Shell {
                profile,
                simulated: true,
                data_dir,
                desk: desk.clone(),
                sla: chrono::Duration::hours(24),
                _sandbox: Some(running),
            });
            // First sync in the background; the UI shows the cached queue meanwhile.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                commands::sync_and_prefetch(&desk).await;
                let _ = handle.emit(QUEUE_CHANGED, ());
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::queue_view,
            commands::sync_queue,
            commands::open_case,
            commands::decide,
            commands::reveal,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("DHMAD Review Desk could not start: {error}");
        std::process::exit(1);
    }
}
