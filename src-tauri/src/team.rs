//! The team store's wiring: claim changes announced by any desk become a "team-changed" event
//! for the UI, and a heartbeat copies this desk's audit to the team chain, says which case is
//! open here and renews that case's lease. The use cases themselves live in desk-core.

use std::sync::Arc;

use futures_util::StreamExt;
use tauri::{Emitter, Manager};

use crate::Shell;

/// Event telling the UI the team changed (a claim, presence, the store's reachability).
pub const TEAM_CHANGED: &str = "team-changed";
/// How often the desk copies its audit and says it is here (well inside a desk's "online").
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(15);

/// Listens for claim changes while its profile is open; dropping it stops listening.
pub struct Listener(tauri::async_runtime::JoinHandle<()>);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// LISTENs on the team store and tells the UI of every claim change. The feed listens again
/// by itself after the store went away and reads what it missed then (telling the UI too, so
/// it shows "offline" and later refreshes); only its first connection is retried here.
pub fn listen(app: &tauri::AppHandle, team: Arc<desk_profiles::TeamStore>) -> Listener {
    let app = app.clone();
    Listener(tauri::async_runtime::spawn(async move {
        loop {
            match team.claim_changes().await {
                Ok(mut changes) => {
                    let _ = app.emit(TEAM_CHANGED, ());
                    while let Some(change) = changes.next().await {
                        if let Err(error) = change {
                            tracing::info!(%error, "the team store went away; listening again when it answers");
                        }
                        let _ = app.emit(TEAM_CHANGED, ());
                    }
                }
                Err(error) => tracing::info!(%error, "not listening to the team store"),
            }
            let _ = app.emit(TEAM_CHANGED, ());
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        }
    }))
}

/// For as long as the app runs: on a team, copy the audit, announce, renew the open case.
pub fn run_heartbeat(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let shell = app.state::<Shell>();
            let (desk, team, desk_id) = {
                let active = shell.active.read().await;
                (
                    active.desk.clone(),
                    active.team.clone(),
                    active.desk_id.clone(),
                )
            };
            if let Some(team) = team {
                // A desk opened before its team store said who it is asks again.
                let dir = shell.active.read().await.data_dir.clone();
                desk_profiles::team::confirm(&desk, &team, &dir).await;
                // The team store's reachability changing is told by the desk (saw_team).
                let _ = desk.mirror_audit(&*team, &desk_id).await;
                let open = desk.keep_case_open(&*team).await;
                let _ = desk.announce(&*team, &desk_id, open.as_deref()).await;
            }
            tokio::select! {
                _ = tokio::time::sleep(HEARTBEAT) => {}
                _ = shell.team_wake.notified() => {}
            }
        }
    });
}
