//! The lead's commands: the audit's filtered pages, figures, verify, exports with progress
//! and cancel, and the blind re-review. They read the team's shared log when the profile has a
//! team store, else this desk's own.

use std::sync::atomic::Ordering;

use desk_core::audit_view::{AuditFilter, ExportFormat, ExportReport};
use desk_core::blind_review::{BlindAnswer, BlindFigures, BlindOutcome, BlindQueue};
use desk_core::ipc::{AuditPageView, AuditRowView, CaseView, ErrorCode, UiError};
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
    sla_hours: u32,
    desk_id: String,
}

/// Runs `$body` with `$log` bound to the log the lead reads: the team's, else the desk's own.
macro_rules! on_log {
    ($lead:expr, $log:ident => $body:expr) => {
        match &$lead.team {
            Some(team) => {
                let $log = &**team;
                $body
            }
            None => {
                let $log = &$lead.desk.store;
                $body
            }
        }
    };
}

impl Lead {
    /// Copies this desk's new entries onto the team's chain now (else the heartbeat does).
    async fn share(&self) {
        if let Some(team) = &self.team {
            let _ = self.desk.mirror_audit(&**team, &self.desk_id).await;
        }
    }
}

/// The lead's views are for a team lead.
async fn lead(shell: &Shell) -> Result<Lead, UiError> {
    let active = shell.active.read().await;
    if active.desk.role_or(active.profile.role) != desk_core::profile::Role::TeamLead {
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
        sla_hours: active.profile.sla_hours,
        desk_id: active.desk_id.clone(),
    })
}

#[tauri::command]
pub async fn audit_page(
    shell: State<'_, Shell>,
    filter: AuditFilter,
    before: Option<i64>,
) -> Result<AuditPageView, UiError> {
    let a = lead(&shell).await?;
    let page = on_log!(a, log => a.desk.audit_view(log, &filter, before, 200).await?);
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
    let actors = on_log!(a, log => log.audit_actors().await);
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
    Ok(on_log!(a, log => a.desk.audit_stats(log, from, until, a.sla_hours).await?))
}

/// Checks the chain, and whether the last checkpoint signed of it still matches.
#[tauri::command]
pub async fn verify_audit(
    shell: State<'_, Shell>,
) -> Result<desk_core::audit::VerifyReport, UiError> {
    let a = lead(&shell).await?;
    let seed = || signing_seed(&shell, &a).map_err(|e| e.message);
    let report = desk_profiles::verify_log(&a.desk, a.team.as_deref(), &a.data_dir, seed).await;
    Ok(report.map_err(desk_core::desk::DeskError::from)?)
}

fn signing_seed(shell: &Shell, a: &Lead) -> Result<[u8; 32], UiError> {
    desk_profiles::signing_seed(&shell.keystore, &a.profile)
        .map_err(|e| UiError::new(ErrorCode::Keyring, e.to_string(), false))
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
    let seed = signing_seed(&shell, &a)?;
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
        &a.data_dir,
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

/// The drawn approvals no lead has looked at yet (since `since`, default the last 30 days).
#[tauri::command]
pub async fn blind_review_queue(
    shell: State<'_, Shell>,
    since: Option<String>,
) -> Result<BlindQueue, UiError> {
    let a = lead(&shell).await?;
    Ok(on_log!(a, log => a.desk.blind_review_queue(log, since.as_deref()).await?))
}

/// A drawn case without its first verdict: status hidden, no feed or timeline.
#[tauri::command]
pub async fn blind_case(
    shell: State<'_, Shell>,
    case_id: String,
    action_id: Option<String>,
) -> Result<CaseView, UiError> {
    let a = lead(&shell).await?;
    let file = on_log!(a, log => a.desk.blind_case(log, &case_id, action_id.as_deref()).await?);
    Ok(CaseView::build(file))
}

#[tauri::command]
pub async fn answer_blind_review(
    shell: State<'_, Shell>,
    answer: BlindAnswer,
) -> Result<BlindOutcome, UiError> {
    let a = lead(&shell).await?;
    let outcome = on_log!(a, log => a.desk.answer_blind_review(log, &answer).await?);
    a.share().await;
    Ok(outcome)
}

#[tauri::command]
pub async fn blind_review_figures(
    shell: State<'_, Shell>,
    from: Option<String>,
    until: Option<String>,
) -> Result<BlindFigures, UiError> {
    let a = lead(&shell).await?;
    let (from, until) = (from.as_deref(), until.as_deref());
    Ok(on_log!(a, log => a.desk.blind_review_figures(log, from, until).await?))
}

/// Sets the share of approvals drawn from now on; returns the share before.
#[tauri::command]
pub async fn set_blind_review_share(shell: State<'_, Shell>, percent: u8) -> Result<u8, UiError> {
    let a = lead(&shell).await?;
    let before = on_log!(a, log => a.desk.set_blind_review_share(log, percent).await?);
    a.share().await;
    Ok(before)
}
