//! The desktop shell: resolves the data directory, starts logging, manages state and exposes
//! command shims. Business logic lives in desk-core and the adapter crates, never here.

mod commands;
mod logging;

use std::path::PathBuf;

use desk_core::paths;
use tauri::Manager;

/// State every command can read: who we are and where the active profile keeps its files.
pub struct Shell {
    pub profile: String,
    pub simulated: bool,
    pub data_dir: PathBuf,
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
            app.manage(Shell {
                profile,
                simulated: true,
                data_dir,
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("DHMAD Review Desk could not start: {error}");
        std::process::exit(1);
    }
}
