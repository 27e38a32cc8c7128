//! Command shims: each one reads managed state, calls into desk-core and maps the answer to an
//! IPC type. No logic beyond that.

use desk_core::action::DecisionRequest;
use desk_core::ipc::{AppInfo, CaseView, DecidedView, QueueView, RevealField, SyncView, UiError};
use tauri::{Emitter, State};

use crate::{AppDesk, Shell, QUEUE_CHANGED};

/// How many cases ahead are fetched so the next one opens at once.
const PREFETCH: usize = 3;

pub async fn sync_and_prefetch(desk: &AppDesk) -> Option<SyncView> {
    match desk.sync().await {
        Ok(report) => {
            if let Err(error) = desk.prefetch_after(None, PREFETCH).await {
                tracing::warn!(%error, "prefetch failed");
            }
            Some(SyncView {
                in_review: report.in_review as u32,
                dropped: report.dropped as u32,
            })
        }
        Err(error) => {
            tracing::warn!(%error, "queue sync failed");
            None
        }
    }
}

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
        reviewer_name: shell.desk.reviewer.name.clone(),
        reviewer_email: shell.desk.reviewer.email.clone(),
    })
}

#[tauri::command]
pub async fn queue_view(shell: State<'_, Shell>) -> Result<QueueView, UiError> {
    Ok(shell.desk.queue_view(shell.sla).await?)
}

#[tauri::command]
pub async fn sync_queue(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
) -> Result<SyncView, UiError> {
    let report = shell.desk.sync().await?;
    let _ = app.emit(QUEUE_CHANGED, ());
    Ok(SyncView {
        in_review: report.in_review as u32,
        dropped: report.dropped as u32,
    })
}

#[tauri::command]
pub async fn open_case(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    case_id: String,
) -> Result<CaseView, UiError> {
    let view = shell.desk.case_view(&case_id).await?;
    let desk = shell.desk.clone();
    tauri::async_runtime::spawn(async move {
        if let Ok(fetched) = desk.prefetch_after(Some(&case_id), PREFETCH).await {
            if fetched > 0 {
                let _ = app.emit(QUEUE_CHANGED, ());
            }
        }
    });
    Ok(view)
}

#[tauri::command]
pub async fn decide(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    request: DecisionRequest,
) -> Result<DecidedView, UiError> {
    let result = shell.desk.decide(request).await;
    let _ = app.emit(QUEUE_CHANGED, ());
    let done = result?;
    Ok(DecidedView {
        case_id: done.case_id,
        next_case_id: done.next_case_id,
    })
}

#[tauri::command]
pub async fn reveal(
    shell: State<'_, Shell>,
    case_id: String,
    field: RevealField,
    reason: String,
) -> Result<Option<String>, UiError> {
    Ok(shell.desk.reveal_value(&case_id, field, &reason).await?)
}
