//! Command shims: each one reads managed state, calls into desk-core or desk-profiles and maps
//! the answer to an IPC type. No logic beyond that.

use std::sync::Arc;

use desk_core::ipc::{
    ActionView, AppInfo, CaseView, ConnectionView, DecidedView, ErrorCode, OutboxStatusView,
    ProfileInput, ProfileView, QueuePatch, QueueView, RevealField, SyncView, UiError, WatchView,
};
use desk_core::model::request::DecisionRequest;
use desk_core::outbox::BlocklistRequest;
use desk_core::profile::ProfileKind;
use desk_core::watch::{WatchChange, WatchError, WatchReport, WatchStore};
use desk_profiles::AppDesk;
use desk_profiles::{KeyKind, SecretString, SetupError};
use tauri::{Emitter, State};

use crate::{open_profile, sync_in_background, Shell, QUEUE_CHANGED};

fn setup_error(error: SetupError) -> UiError {
    let code = match error {
        SetupError::MissingKey(_) => ErrorCode::MissingKey,
        SetupError::Keystore(_) => ErrorCode::Keyring,
        _ => ErrorCode::Setup,
    };
    UiError::new(code, error.to_string(), false)
}

fn profile_error(error: desk_core::profile::ProfileError) -> UiError {
    UiError::new(ErrorCode::Invalid, error.to_string(), false)
}

async fn desk(shell: &Shell) -> Arc<AppDesk> {
    shell.active.read().await.desk.clone()
}

#[tauri::command]
pub async fn app_info(app: tauri::AppHandle, shell: State<'_, Shell>) -> Result<AppInfo, UiError> {
    let active = shell.active.read().await;
    let config = app.config();
    Ok(AppInfo {
        product_name: config
            .product_name
            .clone()
            .unwrap_or_else(|| "DHMAD Review Desk".to_owned()),
        version: app.package_info().version.to_string(),
        profile: active.profile.name.clone(),
        simulated: active.profile.kind == ProfileKind::Sandbox,
        data_dir: active.data_dir.display().to_string(),
        reviewer_name: active.desk.reviewer.name.clone(),
        reviewer_email: active.desk.reviewer.email.clone(),
        notice: shell
            .notice
            .clone()
            .filter(|_| active.profile.kind == ProfileKind::Sandbox),
        role: active.desk.role_or(active.profile.role),
        team_login: active.team.as_ref().map(|t| t.address().login.clone()),
        can_look_up: active.dhmad.is_some(),
        first_run: shell.first_run,
    })
}

/// The active desk and its profile's SLA.
async fn desk_and_sla(shell: &Shell) -> (Arc<AppDesk>, chrono::Duration) {
    let active = shell.active.read().await;
    let sla = chrono::Duration::hours(i64::from(active.profile.sla_hours));
    (active.desk.clone(), sla)
}

#[tauri::command]
pub async fn queue_view(shell: State<'_, Shell>) -> Result<QueueView, UiError> {
    let (desk, sla) = desk_and_sla(&shell).await;
    let view = QueueView::build(&desk.queue_snapshot().await?, sla);
    shell.first_view.notify_one();
    Ok(view)
}

#[tauri::command]
pub async fn queue_rows(
    shell: State<'_, Shell>,
    case_ids: Vec<String>,
) -> Result<QueuePatch, UiError> {
    let (desk, sla) = desk_and_sla(&shell).await;
    let (snapshot, unfetched) = desk.queue_rows(&case_ids).await?;
    Ok(QueuePatch::build(&snapshot, unfetched, sla))
}

#[tauri::command]
pub async fn sync_queue(shell: State<'_, Shell>) -> Result<SyncView, UiError> {
    let report = desk(&shell).await.sync().await?;
    Ok(SyncView {
        in_review: report.in_review as u32,
        dropped: report.dropped as u32,
    })
}

#[tauri::command]
pub async fn open_case(shell: State<'_, Shell>, case_id: String) -> Result<CaseView, UiError> {
    let (desk, team) = {
        let active = shell.active.read().await;
        (active.desk.clone(), active.team.clone())
    };
    let mut view = CaseView::build(desk.case_file(&case_id).await?);
    if let (Some(team), false) = (&team, view.read_only) {
        use desk_core::claims::OpenClaim;
        match desk.open_for_review(&**team, &case_id).await {
            OpenClaim::Held => {}
            OpenClaim::HeldBy(other) => {
                view.read_only = true;
                view.held_by = Some(other.holder);
            }
            OpenClaim::Unconfirmed(error) => {
                tracing::info!(%error, "the team store did not confirm the claim");
            }
        }
        shell.team_wake.notify_one();
    }
    if !view.read_only {
        // The lead's "time from opening to deciding" starts here.
        if let Err(error) = desk.note_opened(&case_id).await {
            tracing::warn!(%error, "could not note the opening in the audit log");
        }
    }
    tauri::async_runtime::spawn(async move {
        // What it fetched is told as a queue change.
        let _ = desk
            .prefetch_after(Some(&case_id), desk_profiles::PREFETCH)
            .await;
    });
    Ok(view)
}

/// The reviewer left a case (back to the queue): on a team, its claim is let go.
#[tauri::command]
pub async fn leave_case(shell: State<'_, Shell>, case_id: String) -> Result<(), UiError> {
    let (desk, team) = {
        let active = shell.active.read().await;
        (active.desk.clone(), active.team.clone())
    };
    let Some(team) = team else { return Ok(()) };
    desk.close_for_review(&*team, &case_id).await?;
    shell.team_wake.notify_one();
    Ok(())
}

/// A team lead clears a claim another desk left behind (audited with its holder).
#[tauri::command]
pub async fn release_claim(shell: State<'_, Shell>, case_id: String) -> Result<(), UiError> {
    let (desk, team, role) = {
        let active = shell.active.read().await;
        (
            active.desk.clone(),
            active.team.clone(),
            active.profile.role,
        )
    };
    if desk.role_or(role) != desk_core::profile::Role::TeamLead {
        return Err(UiError::new(
            ErrorCode::NotAllowed,
            "only a team lead releases another desk's claim",
            false,
        ));
    }
    let team =
        team.ok_or_else(|| UiError::new(ErrorCode::Invalid, "this desk has no team store", false))?;
    desk.release_for_team(&*team, &case_id).await?;
    shell.team_wake.notify_one();
    Ok(())
}

/// Who holds which case, who is online, whether the team store answers.
#[tauri::command]
pub async fn team_view(shell: State<'_, Shell>) -> Result<desk_core::ipc::TeamView, UiError> {
    use desk_core::claims::ClaimStore;
    let (desk, team) = {
        let active = shell.active.read().await;
        (active.desk.clone(), active.team.clone())
    };
    let me = desk.reviewer.identity();
    let Some(team) = team else {
        return Ok(desk_core::ipc::TeamView {
            me,
            ..Default::default()
        });
    };
    let claims = team.claims().await;
    desk.saw_team(!matches!(
        claims,
        Err(desk_core::ports::StoreError::Unreachable(_))
    ));
    let reachable = claims.is_ok();
    let claims = claims.unwrap_or_default();
    let (desks, four_eyes, second_looks) = if reachable {
        use desk_core::four_eyes::FourEyes;
        (
            desk.team_presence(&*team).await.unwrap_or_default(),
            team.policy().await.unwrap_or_default(),
            team.pending().await.unwrap_or_default(),
        )
    } else {
        Default::default()
    };
    Ok(desk_core::ipc::TeamView {
        enabled: true,
        me,
        offline_since: desk.team_offline_since().map(|t| t.to_rfc3339()),
        claims,
        desks,
        four_eyes,
        second_looks,
    })
}

/// A second reviewer confirms or refuses another reviewer's waiting action (audited).
#[tauri::command]
pub async fn answer_second_look(
    shell: State<'_, Shell>,
    action_id: String,
    confirmed: bool,
    note: Option<String>,
) -> Result<(), UiError> {
    let (desk, team) = {
        let active = shell.active.read().await;
        (active.desk.clone(), active.team.clone())
    };
    let team =
        team.ok_or_else(|| UiError::new(ErrorCode::Invalid, "this desk has no team store", false))?;
    desk.answer_second_look(&*team, &action_id, confirmed, note.as_deref())
        .await?;
    shell.team_wake.notify_one();
    Ok(())
}

/// Queues a decision (committed with its audit entry before this returns) and names the next
/// case; the outbox worker sends it once the undo window has passed.
#[tauri::command]
pub async fn decide(
    shell: State<'_, Shell>,
    request: DecisionRequest,
) -> Result<DecidedView, UiError> {
    let desk = desk(&shell).await;
    let done = desk.submit_decision(request).await?;
    shell.outbox_wake.notify_one();
    shell.team_wake.notify_one();
    Ok(DecidedView {
        case_id: done.action.case_id,
        action_id: done.action.id,
        state: done.action.state,
        undo_until: done.action.due_at.to_rfc3339(),
        next_case_id: done.next_case_id,
    })
}

#[tauri::command]
pub async fn blocklist(
    shell: State<'_, Shell>,
    request: BlocklistRequest,
) -> Result<ActionView, UiError> {
    let action = desk(&shell).await.submit_blocklist(request).await?;
    shell.outbox_wake.notify_one();
    Ok(ActionView::from(&action))
}

/// What blocklisting a case's items would reach (counts only), for the confirmation.
#[tauri::command]
pub async fn blocklist_impact(
    shell: State<'_, Shell>,
    case_id: String,
) -> Result<desk_core::case_file::BlocklistImpact, UiError> {
    Ok(desk(&shell).await.blocklist_impact(&case_id).await?)
}

/// A page of the blocklist entries of one type, newest first, values masked.
#[tauri::command]
pub async fn blocklist_entries(
    shell: State<'_, Shell>,
    kind: desk_core::blocklist::BlocklistKind,
    page: u32,
) -> Result<desk_core::ipc::BlocklistPageView, UiError> {
    let listed = desk(&shell).await.blocklist_entries(kind, page).await?;
    Ok(desk_core::ipc::BlocklistPageView::build(listed, page))
}

/// Marks an AML hit, or sets the AML check's status, through the outbox.
#[tauri::command]
pub async fn aml_review(
    shell: State<'_, Shell>,
    request: desk_core::model::request::AmlRequest,
) -> Result<ActionView, UiError> {
    let action = desk(&shell).await.submit_aml(request).await?;
    shell.outbox_wake.notify_one();
    Ok(ActionView::from(&action))
}

/// Undo, retry and cancel: each audited; the queue is refreshed so an undone case is back.
async fn change_action(
    app: &tauri::AppHandle,
    shell: &Shell,
    result: Result<desk_core::outbox::Action, desk_core::desk::DeskError>,
) -> Result<ActionView, UiError> {
    let action = result?;
    shell.outbox_wake.notify_one();
    sync_in_background(app, desk(shell).await);
    Ok(ActionView::from(&action))
}

#[tauri::command]
pub async fn undo_action(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    action_id: String,
) -> Result<ActionView, UiError> {
    let result = desk(&shell).await.undo(&action_id).await;
    change_action(&app, &shell, result).await
}

#[tauri::command]
pub async fn retry_action(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    action_id: String,
) -> Result<ActionView, UiError> {
    let result = desk(&shell).await.retry(&action_id).await;
    change_action(&app, &shell, result).await
}

#[tauri::command]
pub async fn cancel_action(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    action_id: String,
) -> Result<ActionView, UiError> {
    let result = desk(&shell).await.cancel(&action_id).await;
    change_action(&app, &shell, result).await
}

/// Every action, newest first.
#[tauri::command]
pub async fn outbox(shell: State<'_, Shell>) -> Result<Vec<ActionView>, UiError> {
    let actions = desk(&shell).await.outbox().await?;
    Ok(actions.iter().rev().map(ActionView::from).collect())
}

#[tauri::command]
pub async fn outbox_status(shell: State<'_, Shell>) -> Result<OutboxStatusView, UiError> {
    let mut view: OutboxStatusView = desk(&shell).await.outbox_status().await?.into();
    view.not_sending = shell
        .not_sending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(view)
}

#[tauri::command]
pub async fn reveal(
    shell: State<'_, Shell>,
    case_id: String,
    field: RevealField,
    index: Option<u32>,
    reason: String,
) -> Result<Option<String>, UiError> {
    let index = index.unwrap_or(0) as usize;
    Ok(desk(&shell)
        .await
        .reveal(&case_id, field, index, &reason)
        .await?)
}

#[tauri::command]
pub async fn search_queue(shell: State<'_, Shell>, text: String) -> Result<Vec<String>, UiError> {
    Ok(desk(&shell).await.search(&text).await?)
}

/// The active profile's desk and its DHMAD client (None without a DHMAD key).
async fn support(shell: &Shell) -> (Arc<AppDesk>, Option<Arc<desk_profiles::SupportDirectory>>) {
    let active = shell.active.read().await;
    (active.desk.clone(), active.dhmad.clone())
}

/// The VerifyHQ users whose waiting verifications join the queue.
#[tauri::command]
pub async fn watch_list(shell: State<'_, Shell>) -> Result<WatchView, UiError> {
    let active = shell.active.read().await;
    Ok(WatchView {
        users: active.watch.watched().await.map_err(WatchError::from)?,
        shared: active.watch.shared(),
        verifyhq: active.desk.source.verifyhq.is_some(),
        max: desk_core::watch::MAX_WATCHED as u32,
    })
}

/// Adds, removes or imports watched users; the queue syncs again to show their cases.
#[tauri::command]
pub async fn change_watch(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    change: WatchChange,
) -> Result<WatchReport, UiError> {
    let (watch, desk) = {
        let active = shell.active.read().await;
        (active.watch.clone(), active.desk.clone())
    };
    let report = desk.change_watch(&watch, change).await?;
    crate::sync_in_background(&app, desk);
    Ok(report)
}

/// Support's lookup by email, DHMAD verification id or vendor_data, masked beyond the query.
#[tauri::command]
pub async fn lookup(
    shell: State<'_, Shell>,
    text: String,
) -> Result<desk_core::lookup::LookupAnswer, UiError> {
    let (desk, dhmad) = support(&shell).await;
    Ok(desk.lookup(dhmad.as_deref(), &text).await?)
}

/// Support queues a pending verification's invite to be sent again (through the outbox).
#[tauri::command]
pub async fn resend_invite(
    shell: State<'_, Shell>,
    verification_id: String,
    comment: Option<String>,
) -> Result<ActionView, UiError> {
    let (desk, dhmad) = support(&shell).await;
    let action = desk
        .submit_invite(dhmad.as_deref(), &verification_id, comment.as_deref())
        .await?;
    shell.outbox_wake.notify_one();
    Ok(ActionView::from(&action))
}

/// One masked value of a DHMAD verification, with the reason in the audit log.
#[tauri::command]
pub async fn reveal_lookup(
    shell: State<'_, Shell>,
    verification_id: String,
    field: desk_core::lookup::LookupField,
    reason: String,
) -> Result<Option<String>, UiError> {
    let (desk, dhmad) = support(&shell).await;
    Ok(desk
        .reveal_lookup(dhmad.as_deref(), &verification_id, field, &reason)
        .await?)
}

/// Any session by UUID or vendor_data, decided ones too (they open read-only).
#[tauri::command]
pub async fn find_sessions(
    shell: State<'_, Shell>,
    text: String,
) -> Result<Vec<desk_core::ipc::FoundSession>, UiError> {
    let found = desk(&shell).await.find_sessions(&text).await?;
    Ok(found.iter().map(Into::into).collect())
}

/// The queued cases matching a warning, country or workflow filter: exact through the provider,
/// else judged on the cached summaries with a count of the cases not judged yet.
#[tauri::command]
pub async fn filter_queue(
    shell: State<'_, Shell>,
    filter: desk_core::ports::QueueFilter,
) -> Result<desk_core::ipc::FilterView, UiError> {
    Ok(desk(&shell).await.filter_queue(&filter).await?.into())
}

#[tauri::command]
pub async fn sync_status(shell: State<'_, Shell>) -> Result<desk_core::queue::SyncStatus, UiError> {
    Ok(desk(&shell).await.sync_status())
}

#[tauri::command]
pub fn reasons(shell: State<'_, Shell>) -> Vec<desk_core::reasons::Reason> {
    shell.files.reasons()
}

#[tauri::command]
pub async fn profiles(shell: State<'_, Shell>) -> Result<Vec<ProfileView>, UiError> {
    let book = shell.files.load();
    let active = shell.active.read().await.profile.name.clone();
    book.profiles
        .into_iter()
        .map(|profile| {
            let has = |kind| {
                shell
                    .keystore
                    .has(&profile.name, kind)
                    .map_err(|e| setup_error(e.into()))
            };
            let live = profile.kind == ProfileKind::Live;
            Ok(ProfileView {
                active: profile.name == active,
                has_didit_key: live && profile.didit_url.is_some() && has(KeyKind::Didit)?,
                has_dhmad_key: live && has(KeyKind::Dhmad)?,
                has_verifyhq_key: live && profile.verifyhq_url.is_some() && has(KeyKind::VerifyHq)?,
                has_team_password: desk_profiles::has_team_password(&shell.keystore, &profile)
                    .map_err(setup_error)?,
                profile,
            })
        })
        .collect()
}

#[tauri::command]
pub async fn save_profile(
    shell: State<'_, Shell>,
    input: ProfileInput,
) -> Result<Vec<ProfileView>, UiError> {
    if let Some(url) = &input.profile.team_store {
        desk_profiles::check_team_store(url).map_err(setup_error)?;
    }
    let mut book = shell.files.load();
    book.upsert(input.profile.clone()).map_err(profile_error)?;
    let name = input.profile.name.clone();
    for (kind, key) in [
        (KeyKind::Didit, input.didit_key),
        (KeyKind::Dhmad, input.dhmad_key),
        (KeyKind::VerifyHq, input.verifyhq_key),
    ] {
        if let Some(key) = key.filter(|k| !k.trim().is_empty()) {
            shell
                .keystore
                .save(&name, kind, &SecretString::from(key))
                .map_err(|e| setup_error(e.into()))?;
        }
    }
    if let (Some(url), Some(password)) = (
        &input.profile.team_store,
        input.team_password.filter(|p| !p.trim().is_empty()),
    ) {
        desk_profiles::save_team_password(&shell.keystore, url, &SecretString::from(password))
            .map_err(setup_error)?;
    }
    shell.files.save(&book).map_err(setup_error)?;
    profiles(shell).await
}

/// Sets what a profile's desk shows; the active profile's views follow at once.
#[tauri::command]
pub async fn set_role(
    shell: State<'_, Shell>,
    name: String,
    role: desk_core::profile::Role,
) -> Result<Vec<ProfileView>, UiError> {
    let mut book = shell.files.load();
    book.set_role(&name, role).map_err(profile_error)?;
    shell.files.save(&book).map_err(setup_error)?;
    {
        let mut active = shell.active.write().await;
        if active.profile.name == name {
            active.profile.role = role;
        }
    }
    profiles(shell).await
}

#[tauri::command]
pub async fn delete_keys(
    shell: State<'_, Shell>,
    name: String,
) -> Result<Vec<ProfileView>, UiError> {
    for kind in [
        KeyKind::Didit,
        KeyKind::Dhmad,
        KeyKind::VerifyHq,
        KeyKind::TeamStore,
    ] {
        shell
            .keystore
            .delete(&name, kind)
            .map_err(|e| setup_error(e.into()))?;
    }
    profiles(shell).await
}

#[tauri::command]
pub async fn test_connection(
    shell: State<'_, Shell>,
    name: String,
) -> Result<ConnectionView, UiError> {
    let book = shell.files.load();
    let profile = book.get(&name).map_err(profile_error)?;
    let connection = desk_profiles::connect(profile, &shell.keystore, &shell.knobs)
        .await
        .map_err(setup_error)?;
    Ok(desk_profiles::test_connection(&connection).await.view())
}

#[tauri::command]
pub async fn switch_profile(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    name: String,
) -> Result<AppInfo, UiError> {
    let mut book = shell.files.load();
    book.activate(&name).map_err(profile_error)?;
    let profile = book.active().clone();
    let opened = open_profile(&app, &shell.files, &shell.keystore, &shell.knobs, &profile)
        .await
        .map_err(setup_error)?;
    shell.files.save(&book).map_err(setup_error)?;
    let desk = opened.desk.clone();
    *shell.active.write().await = opened;
    sync_in_background(&app, desk);
    let _ = app.emit(QUEUE_CHANGED, ());
    app_info(app.clone(), shell).await
}
