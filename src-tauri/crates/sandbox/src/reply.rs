//! The answers every Didit handler gives alike: DRF's error bodies, a JSON object body read
//! the way DRF reports a bad one, and a session found by id or the 404.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::world::World;

/// DRF's `{"detail": ...}` body.
pub fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// DRF's per-field validation body.
pub fn field_error(field: &str, message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ field: [message] }))).into_response()
}

/// Parses a JSON object body the way DRF reports a bad one.
pub fn json_body(bytes: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(field_error(
            "non_field_errors",
            "Invalid data. Expected a dictionary.",
        )),
        Err(e) => Err(detail(
            StatusCode::BAD_REQUEST,
            &format!("JSON parse error - {e}"),
        )),
    }
}

/// The index of session `id`, or Didit's 404.
pub fn session_index(world: &World, id: &str) -> Result<usize, Response> {
    world
        .find(id)
        .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Not found."))
}
