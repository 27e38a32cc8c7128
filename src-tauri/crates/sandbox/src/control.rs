//! The sandbox's own endpoints under `/_sandbox/`: fault injection, the ledger of applied
//! effects, rate-limit figures, a competing reviewer, and fixture loading.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::Faults;
use crate::reply::session_index;
use crate::state::AppState;
use crate::world::iso;

pub async fn get_faults(State(shared): State<AppState>) -> Json<Faults> {
    Json(
        shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
    )
}

pub async fn set_faults(
    State(shared): State<AppState>,
    Json(faults): Json<Faults>,
) -> Json<Faults> {
    *shared.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults.clone();
    Json(faults)
}

pub async fn ledger(State(shared): State<AppState>) -> Json<Value> {
    let world = shared.world();
    Json(Value::Array(
        world
            .ledger
            .iter()
            .map(|e| {
                json!({"seq": e.seq, "at": iso(e.at), "api": e.api, "effect": e.effect,
                       "target": e.target, "actor": e.actor, "detail": e.detail})
            })
            .collect(),
    ))
}

pub async fn rate(State(shared): State<AppState>) -> Json<Value> {
    let windows = shared.windows.lock().unwrap_or_else(|e| e.into_inner());
    Json(json!(windows.figures))
}

#[derive(Deserialize)]
pub struct Compete {
    session_id: String,
    new_status: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default = "other_reviewer")]
    reviewer: String,
}

fn other_reviewer() -> String {
    "other.reviewer@dhmad.tn".to_owned()
}

/// Another reviewer decides a session in the provider's console, behind the desk's back.
pub async fn compete(State(shared): State<AppState>, Json(body): Json<Compete>) -> Response {
    let mut world = shared.world();
    let i = match session_index(&world, &body.session_id) {
        Ok(i) => i,
        Err(not_found) => return not_found,
    };
    world.console_decision(i, &body.new_status, body.comment.as_deref(), &body.reviewer);
    (
        StatusCode::OK,
        Json(json!({"session_id": body.session_id, "status": body.new_status})),
    )
        .into_response()
}
