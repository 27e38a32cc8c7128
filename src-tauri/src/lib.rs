//! The desktop shell: resolves the data root, starts logging, opens the active profile (for
//! the built-in Sandbox profile that starts the in-process simulator), and exposes command
//! shims. Business logic lives in desk-core and the adapter crates, never here.

mod audit;
mod commands;
mod guard;
mod logging;
mod team;

use std::path::PathBuf;
use std::sync::Arc;

use desk_core::profile::Profile;
use desk_profiles::{AppDesk, Keystore, ProfileFiles, SandboxKnobs, SetupError};
use tauri::{Emitter, Manager};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};
use tokio::sync::{Notify, RwLock};

/// The open profile: its desk, its sending lock and, for the Sandbox profile, the simulator.
pub struct Active {
    pub profile: Profile,
    pub data_dir: PathBuf,
    pub desk: Arc<AppDesk>,
    /// DHMAD, for support lookups, when the profile has its key.
    pub dhmad: Option<Arc<desk_profiles::SupportDirectory>>,
    /// The team's shared store, when this desk works in a team.
    pub team: Option<Arc<desk_profiles::TeamStore>>,
    /// This desk's id on the team's audit chain.
    pub desk_id: String,
    /// The VerifyHQ users whose cases join the queue.
    pub watch: desk_profiles::WatchList,
    _team_listener: Option<team::Listener>,
    _sandbox: Option<desk_profiles::RunningSandbox>,
}

/// State every command can read.
pub struct Shell {
    pub files: ProfileFiles,
    pub keystore: Keystore,
    pub knobs: SandboxKnobs,
    pub active: RwLock<Active>,
    /// Why the desk started on another profile than the one set, shown to the reviewer.
    pub notice: Option<String>,
    /// No profile book was there when the desk started: the window shows the first-run screen.
    pub first_run: bool,
    /// Wakes the outbox worker when an action was queued, undone or retried.
    pub outbox_wake: Notify,
    /// Why the worker is not sending (the profile's outbox is held elsewhere), if so.
    pub not_sending: std::sync::Mutex<Option<String>>,
    /// Whether the summary fill is running.
    pub filling: std::sync::atomic::AtomicBool,
    /// Wakes the team heartbeat (a case opened, a decision queued).
    pub team_wake: Notify,
    /// Set to stop the running audit export.
    pub cancel_export: std::sync::atomic::AtomicBool,
    /// Told when a queue view was served: the background work starts after the first one.
    pub first_view: Notify,
}

/// Event telling the UI to refetch the queue. Carries no data.
pub const QUEUE_CHANGED: &str = "queue-changed";
/// Event naming the queued cases whose summaries the fill just brought (their ids only).
pub const QUEUE_ROWS: &str = "queue-rows";
/// Event telling the UI the outbox changed. Carries no data.
pub const OUTBOX_CHANGED: &str = "outbox-changed";

/// How long the background work waits for the window's first queue view before it starts.
const FIRST_VIEW_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
/// How often the queue is refreshed while the desk is open.
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(120);
/// The longest the outbox worker sleeps between looks.
const OUTBOX_TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens a profile (desk-profiles does the work the CLI shares) and, on a team, listens to
/// the team store's claim changes.
pub async fn open_profile(
    app: &tauri::AppHandle,
    files: &ProfileFiles,
    keystore: &Keystore,
    knobs: &SandboxKnobs,
    profile: &Profile,
) -> Result<Active, SetupError> {
    let open = desk_profiles::open_desk(files, keystore, knobs, profile).await?;
    open.desk
        .tell_changes_to(Box::new(WindowNotices(app.clone())));
    let team = open.team.map(Arc::new);
    Ok(Active {
        profile: open.profile,
        data_dir: open.data_dir,
        desk: open.desk,
        dhmad: open.dhmad.map(Arc::new),
        _team_listener: team.clone().map(|t| team::listen(app, t)),
        team,
        desk_id: open.desk_id,
        watch: open.watch,
        _sandbox: open.sandbox,
    })
}

/// The one place what the desk's use cases changed becomes the window's events (ids only).
struct WindowNotices(tauri::AppHandle);

impl desk_core::ports::Notices for WindowNotices {
    fn changed(&self, change: desk_core::ports::Change) {
        use desk_core::ports::Change;
        let _ = match change {
            Change::Queue => self.0.emit(QUEUE_CHANGED, ()),
            Change::QueueRows(case_ids) => self.0.emit(QUEUE_ROWS, case_ids),
            Change::Outbox => self.0.emit(OUTBOX_CHANGED, ()),
            Change::Team => self.0.emit(team::TEAM_CHANGED, ()),
        };
    }
}

/// Syncs the queue in the background and tells the UI when done; then fills in the summaries
/// of the cases not fetched yet.
pub fn sync_in_background(app: &tauri::AppHandle, desk: Arc<AppDesk>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move { sync_then_fill(&app, &desk).await });
}

/// Summaries fetched per pass of the fill, between two row updates sent to the window.
const FILL_PASS: usize = 20;

/// Syncs the queue, tells the window, then fills in the missing summaries (desk-profiles),
/// telling the window as they arrive. One fill at a time; an error pauses it until the next sync.
async fn sync_then_fill(app: &tauri::AppHandle, desk: &AppDesk) {
    use std::sync::atomic::Ordering;
    desk_profiles::sync_and_prefetch(desk).await;
    let shell = app.state::<Shell>();
    if !shell.filling.swap(true, Ordering::AcqRel) {
        if let Err(error) = desk_profiles::fill_summaries(desk, FILL_PASS).await {
            tracing::info!(%error, "summary fill paused until the next sync");
        }
        shell.filling.store(false, Ordering::Release);
    }
}

/// Sends what is due in the active profile's outbox, for as long as the app runs. Holds the
/// profile's sending lock while it sends, so a `desk outbox drain` cannot send alongside.
fn run_outbox_worker(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut sender = desk_profiles::OutboxSender::default();
        loop {
            let shell = app.state::<Shell>();
            let (desk, dir, dhmad, team) = {
                let active = shell.active.read().await;
                (
                    active.desk.clone(),
                    active.data_dir.clone(),
                    active.dhmad.clone(),
                    active.team.clone(),
                )
            };
            let holding = sender.hold(&dir, "DHMAD Review Desk");
            if let Err(error) = &holding {
                tracing::warn!(%error, "not sending the outbox");
            }
            *shell.not_sending.lock().unwrap_or_else(|e| e.into_inner()) =
                holding.as_ref().err().map(ToString::to_string);
            let mut wait = OUTBOX_TICK;
            if holding.is_ok() {
                match desk_profiles::run_due(&desk, dhmad.as_deref(), team.as_deref()).await {
                    Ok(report) => {
                        if let Some(until) = report.wait_from(chrono::Utc::now()) {
                            wait = wait.min(until.max(std::time::Duration::from_millis(50)));
                        }
                    }
                    Err(error) => tracing::warn!(%error, "outbox pass failed"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shell.outbox_wake.notified() => {}
            }
        }
    });
}

/// Hands a second launch over to the desk already running on this data root, before any window
/// system starts: exiting from the plugin's own check, after GTK and WebKit are up, could die on
/// a signal instead of leaving quietly. True when the running desk accepted the hand-over.
#[cfg(target_os = "linux")]
fn hand_over(id: &str) -> bool {
    let name = format!("{id}.SingleInstance");
    let path = format!("/{}", name.replace('.', "/"));
    let args: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    zbus::blocking::Connection::session()
        .and_then(|bus| {
            bus.call_method(
                Some(name.as_str()),
                path.as_str(),
                Some("org.SingleInstance.DBus"),
                "ExecuteCallback",
                &(args, cwd.to_string_lossy().as_ref()),
            )
        })
        .is_ok()
}

#[cfg(not(target_os = "linux"))]
fn hand_over(_id: &str) -> bool {
    false
}

/// What the desk remembers of its window between launches.
const WINDOW_STATE: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// Saves the main window's size and place half a second after it stops moving or resizing, so
/// a desk that was killed rather than closed still opens where it was.
fn remember_window(window: &tauri::Window, event: &tauri::WindowEvent) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CHANGES: AtomicU64 = AtomicU64::new(0);
    let moved = matches!(
        event,
        tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)
    );
    if window.label() != "main" || !moved {
        return;
    }
    let this = CHANGES.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if CHANGES.load(Ordering::SeqCst) == this {
            if let Err(error) = app.save_window_state(WINDOW_STATE) {
                tracing::warn!(%error, "the window's size and place were not saved");
            }
        }
    });
}

pub fn run() {
    let launched = std::time::Instant::now();
    let id = ProfileFiles::from_environment().instance_id();
    if hand_over(&id) {
        return;
    }
    let result = tauri::Builder::default()
        // First: a second launch on the same data root must hand over before it opens anything
        // of its own (desks on other data roots, e.g. tests, stay independent).
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(id)
                .callback(|app, _args, _cwd| {
                    tracing::info!("a second launch handed over to this desk");
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                })
                .build(),
        )
        .plugin(guard::navigation())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(WINDOW_STATE)
                .with_denylist(&[guard::PROBE_LABEL])
                .build(),
        )
        .on_window_event(remember_window)
        .setup(move |app| {
            guard::open_probe_window(app)?;
            let files = ProfileFiles::from_environment();
            std::fs::create_dir_all(&files.root)?;
            let guard = logging::init(&files.root.join("logs"))?;
            app.manage(guard);
            let keystore = desk_profiles::keystore();
            let knobs = SandboxKnobs::from_environment();
            let book = files.load();
            // The first start writes the book, so the first-run screen shows once.
            let first_run = !files.exists();
            if first_run {
                files.save(&book)?;
            }
            let wanted = book.active().clone();
            tracing::info!(profile = %wanted.name, ms = launched.elapsed().as_millis(), "review desk started");
            // A Live profile that cannot open (no key, no keyring) falls back to the Sandbox
            // profile, so the desk always starts, and the reviewer is told why.
            let handle = app.handle();
            let (active, notice) = match tauri::async_runtime::block_on(open_profile(handle, &files, &keystore, &knobs, &wanted)) {
                Ok(active) => (active, None),
                Err(error) => {
                    tracing::warn!(%error, profile = %wanted.name, "profile could not open; using Sandbox");
                    let notice = format!("Profile {} could not open ({error}); the Sandbox profile is open instead.", wanted.name);
                    (tauri::async_runtime::block_on(open_profile(handle, &files, &keystore, &knobs, &Profile::sandbox()))?, Some(notice))
                }
            };
            let desk = active.desk.clone();
            app.manage(Shell { files, keystore, knobs, active: RwLock::new(active), notice, first_run, outbox_wake: Notify::new(), not_sending: Default::default(), filling: Default::default(), team_wake: Notify::new(), cancel_export: Default::default(), first_view: Notify::new() });
            // The cached queue paints first: the background work waits for the window's first
            // queue view (or FIRST_VIEW_WAIT, should the window never ask).
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let shell = handle.state::<Shell>();
                let asked = tokio::time::timeout(FIRST_VIEW_WAIT, shell.first_view.notified()).await.is_ok();
                tracing::info!(ms = launched.elapsed().as_millis(), first_view = asked, "background work starts");
                // Hidden until now: shown while the web process was still starting, WebKit held
                // the window's thread up to 500 ms waiting for its first frame.
                if let Some(window) = handle.get_webview_window("main") {
                    let _ = window.show();
                }
                sync_in_background(&handle, desk);
                run_outbox_worker(handle.clone());
                team::run_heartbeat(handle.clone());
                loop {
                    tokio::time::sleep(SYNC_EVERY).await;
                    let desk = handle.state::<Shell>().active.read().await.desk.clone();
                    sync_then_fill(&handle, &desk).await;
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::queue_view,
            commands::queue_rows,
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
            commands::undo_action,
            commands::outbox,
            commands::outbox_status,
            commands::retry_action,
            commands::cancel_action,
            commands::blocklist,
            commands::aml_review,
            commands::blocklist_impact,
            commands::blocklist_entries,
            commands::filter_queue,
            commands::find_sessions,
            commands::lookup,
            commands::reveal_lookup,
            commands::set_role,
            commands::resend_invite,
            commands::team_view,
            commands::leave_case,
            commands::release_claim,
            commands::answer_second_look,
            commands::watch_list,
            commands::change_watch,
            audit::audit_page,
            audit::audit_actors,
            audit::verify_audit,
            audit::audit_stats,
            audit::export_audit,
            audit::cancel_export,
            audit::blind_review_queue,
            audit::blind_case,
            audit::answer_blind_review,
            audit::blind_review_figures,
            audit::set_blind_review_share,
        ])
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("DHMAD Review Desk could not start: {error}");
        std::process::exit(1);
    }
}
