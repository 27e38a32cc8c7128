//! The desktop shell: resolves the data root, starts logging, opens the active profile (for
//! the built-in Sandbox profile that starts the in-process simulator), and exposes command
//! shims. Business logic lives in desk-core and the adapter crates, never here.

mod commands;
mod logging;

use std::path::PathBuf;
use std::sync::Arc;

use desk_core::profile::{Profile, ProfileKind};
use desk_core::review::{Desk, SystemClock};
use desk_profiles::{
    Connection, Keystore, ProfileFiles, SandboxKnobs, SetupError, KEYRING_SERVICE,
};
use desk_store::SqliteStore;
use didit::DiditClient;
use tauri::{Emitter, Manager};
use tokio::sync::RwLock;

pub type AppDesk = Desk<DiditClient, SqliteStore, SystemClock>;

/// The open profile: its desk and, for the Sandbox profile, the simulator it talks to.
pub struct Active {
    pub profile: Profile,
    pub data_dir: PathBuf,
    pub desk: Arc<AppDesk>,
    _sandbox: Option<desk_profiles::RunningSandbox>,
}

/// State every command can read.
pub struct Shell {
    pub files: ProfileFiles,
    pub keystore: Keystore,
    pub knobs: SandboxKnobs,
    pub sla: chrono::Duration,
    pub active: RwLock<Active>,
    /// Why the desk started on another profile than the one set, shown to the reviewer.
    pub notice: Option<String>,
}

/// Event telling the UI to refetch the queue. Carries no data.
pub const QUEUE_CHANGED: &str = "queue-changed";

/// How often the queue is refreshed while the desk is open.
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(120);

/// Opens a profile: its clients, its own data directory and SQLite file.
pub async fn open_profile(
    shell_files: &ProfileFiles,
    keystore: &Keystore,
    knobs: &SandboxKnobs,
    profile: &Profile,
) -> Result<Active, SetupError> {
    let data_dir = shell_files.profile_dir(&profile.name);
    std::fs::create_dir_all(&data_dir).map_err(|e| SetupError::Io(e.to_string()))?;
    // The DHMAD client serves support lookups, a later screen; the review loop needs Didit.
    let Connection {
        didit,
        dhmad: _,
        reviewer,
        sandbox,
    } = desk_profiles::connect(profile, keystore, knobs).await?;
    let store = SqliteStore::open(&desk_profiles::database_path(&data_dir))
        .await
        .map_err(|e| SetupError::Io(e.to_string()))?;
    tracing::info!(profile = %profile.name, simulated = profile.kind == ProfileKind::Sandbox, "profile opened");
    Ok(Active {
        profile: profile.clone(),
        data_dir,
        desk: Arc::new(Desk::new(didit, store, SystemClock, reviewer)),
        _sandbox: sandbox,
    })
}

/// Syncs the queue in the background and tells the UI when done.
pub fn sync_in_background(app: &tauri::AppHandle, desk: Arc<AppDesk>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        commands::sync_and_prefetch(&desk).await;
        let _ = app.emit(QUEUE_CHANGED, ());
    });
}

pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let files = ProfileFiles::from_environment();
            std::fs::create_dir_all(&files.root)?;
            let guard = logging::init(&files.root.join("logs"))?;
            app.manage(guard);
            let keystore = Keystore::new(KEYRING_SERVICE);
            let knobs = SandboxKnobs::from_environment();
            let book = files.load();
            let wanted = book.active().clone();
            tracing::info!(profile = %wanted.name, "review desk started");
            // A Live profile that cannot open (no key, no keyring) falls back to the Sandbox
            // profile, so the desk always starts, and the reviewer is told why.
            let (active, notice) = match tauri::async_runtime::block_on(open_profile(&files, &keystore, &knobs, &wanted)) {
                Ok(active) => (active, None),
                Err(error) => {
                    tracing::warn!(%error, profile = %wanted.name, "profile could not open; using Sandbox");
                    let notice = format!("Profile {} could not open ({error}); the Sandbox profile is open instead.", wanted.name);
                    (tauri::async_runtime::block_on(open_profile(&files, &keystore, &knobs, &Profile::sandbox()))?, Some(notice))
                }
            };
            let desk = active.desk.clone();
            app.manage(Shell { files, keystore, knobs, sla: chrono::Duration::hours(24), active: RwLock::new(active), notice });
            sync_in_background(app.handle(), desk);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    tokio::time::sleep(SYNC_EVERY).await;
                    let desk = handle.state::<Shell>().active.read().await.desk.clone();
                    commands::sync_and_prefetch(&desk).await;
                    let _ = handle.emit(QUEUE_CHANGED, ());
                }
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
            commands::search_queue,
            commands::sync_status,
            commands::reasons,
            commands::profiles,
            commands::save_profile,
            commands::delete_keys,
            commands::test_connection,
            commands::switch_profile,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("DHMAD Review Desk could not start: {error}");
        std::process::exit(1);
    }
}
