//! Command shims: each one reads managed state, calls into desk-core and maps the answer to an
//! IPC type. No logic beyond that.

use desk_core::ipc::{AppInfo, UiError};
use tauri::State;

use crate::Shell;

#[tauri::command]
pub fn app_info(app: tauri::AppHandle, shell: State<'_, Shell>) -> Result<AppInfo, UiError> {
    let config = app.config();
    Ok(AppInfo {
        product_name: config
            .product_name
            .clone()
            .unwrap_or_else(|| "DHMAD Review Desk".to_owned()),
        version: app.package_info().version.to_string(),
        profile: shell.profile.clone(),
        simulated: shell.simulated,
        data_dir: shell.data_dir.display().to_string(),
    })
}
