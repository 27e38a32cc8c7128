//! The lead's audit commands: filtered pages, verify, and exports with progress and cancel.
//! They read the team's shared log when the profile has a team store, else this desk's own.

use std::sync::atomic::Ordering;

use desk_core::audit_view::{AuditFilter, ExportFormat, ExportReport};
use desk_core::ipc::{AuditPageView, AuditRowView, ErrorCode, UiError};
use tauri::{Emitter, State};

use crate::Shell;

/// Event carrying how many entries an export has written so far.
pub const EXPORT_PROGRESS: &str = "export-progress";

/// What the lead's commands use of the open profile.
struct Lead {
    desk: std::sync::Arc<desk_profiles::AppDesk>,
    team: Option<std::sync::Arc<desk_profiles::TeamStore>>,
    data_dir: std::path::PathBuf,
    profile: String,
}

/// The lead's views are for a team lead.
async fn lead(shell: &Shell) -> Result<Lead, UiError> {
    let active = shell.active.read().await;
    if active.profile.role != desk_core::profile::Role::TeamLead {
        return Err(UiError::new(
            ErrorCode::NotAllowed,
            "the audit view is for a team lead (Profiles, P: the role)",
            false,
        ));
    }
    Ok(Lead {
        desk: active.desk.clone(),
        team: active.team.clone(),
        data_dir: active.data_dir.clone(),
        profile: active.profile.name.clone(),
    })
}

#[tauri::command]
pub async fn audit_page(
    shell: State<'_, Shell>,
    filter: AuditFilter,
    before: Option<i64>,
) -> Result<AuditPageView, UiError> {
    let a = lead(&shell).await?;
    let page = match &a.team {
        Some(team) => a.desk.audit_view(&**team, &filter, before, 200).await?,
        None => {
            a.desk
                .audit_view(&a.desk.store, &filter, before, 200)
                .await?
        }
    };
    Ok(AuditPageView {
        rows: page.entries.iter().map(AuditRowView::from).collect(),
        next_before: page.next_before,
        team: a.team.is_some(),
    })
}

/// Every reviewer in the log, for the reviewer filter.
#[tauri::command]
pub async fn audit_actors(shell: State<'_, Shell>) -> Result<Vec<String>, UiError> {
    use desk_core::audit_view::AuditSearch;
    let a = lead(&shell).await?;
    let actors = match &a.team {
        Some(team) => team.audit_actors().await,
        None => a.desk.store.audit_actors().await,
    };
    Ok(actors.map_err(desk_core::desk::DeskError::from)?)
}

/// The period's figures per reviewer and for the team.
#[tauri::command]
pub async fn audit_stats(
    shell: State<'_, Shell>,
    from: Option<String>,
    until: Option<String>,
) -> Result<desk_core::audit_stats::AuditStats, UiError> {
    let a = lead(&shell).await?;
    let (from, until) = (from.as_deref(), until.as_deref());
    Ok(match &a.team {
        Some(team) => a.desk.audit_stats(&**team, from, until).await?,
        None => a.desk.audit_stats(&a.desk.store, from, until).await?,
    })
}

#[tauri::command]
pub async fn verify_audit(
    shell: State<'_, Shell>,
) -> Result<desk_core::audit::VerifyReport, UiError> {
    let a = lead(&shell).await?;
    let report = match &a.team {
        Some(team) => desk_core::audit::verify(&**team, None).await,
        None => desk_core::audit::verify(&a.desk.store, None).await,
    };
    Ok(report.map_err(desk_core::desk::DeskError::from)?)
}

/// What an export wrote, and where.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    path: String,
    checkpoint_path: String,
    report: ExportReport,
}

/// Exports the filtered view into the profile's `exports` folder (the file, and its signed
/// head beside it), telling the UI how far it got; `cancel_export` stops it, leaving nothing.
#[tauri::command]
pub async fn export_audit(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    filter: AuditFilter,
    format: ExportFormat,
    show_comments_because: Option<String>,
) -> Result<Exported, UiError> {
    let a = lead(&shell).await?;
    let failed = |e: std::io::Error| UiError::new(ErrorCode::Setup, e.to_string(), false);
    let seed = desk_profiles::signing_seed(&shell.keystore, &a.profile)
        .map_err(|e| UiError::new(ErrorCode::Keyring, e.to_string(), false))?;
    let dir = a.data_dir.join("exports");
    std::fs::create_dir_all(&dir).map_err(failed)?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let ext = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    let path = dir.join(format!("audit-{stamp}.{ext}"));
    shell.cancel_export.store(false, Ordering::Release);
    let progress = |n: u64| {
        let _ = app.emit(EXPORT_PROGRESS, n);
        !shell.cancel_export.load(Ordering::Acquire)
    };
    let files = desk_profiles::export_audit_file(
        &a.desk,
        a.team.as_deref(),
        &filter,
        format,
        &path,
        show_comments_because.as_deref(),
        &seed,
        progress,
    )
    .await
    .map_err(|e| match e {
        desk_profiles::ExportError::Desk(e) => UiError::from(e),
        e => UiError::new(ErrorCode::Setup, e.to_string(), false),
    })?;
    Ok(Exported {
        path: files.path.display().to_string(),
        checkpoint_path: files.checkpoint_path.display().to_string(),
        report: files.report,
    })
}

#[tauri::command]
pub fn cancel_export(shell: State<'_, Shell>) {
    shell.cancel_export.store(true, Ordering::Release);
}
