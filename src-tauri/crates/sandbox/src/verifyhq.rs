//! VerifyHQ identity verifications (seed 004): exactly the seed's five endpoints under `/v1`,
//! `X-API-Key` auth, and every rule the seed states — one active (PENDING / IN_PROGRESS)
//! verification per user is returned again, not duplicated; a review only from MANUAL_REVIEW or
//! PENDING, with `decision` (VERIFIED | REJECTED), `reviewedBy` and `reviewNotes` all required;
//! restart invalidates the verification and starts a new one; lists page with `page` and
//! `limit` (at most 100). What the seed leaves open is chosen here and said so: the list answers
//! `{data, page, limit, total}`; errors answer `{statusCode, error, message}`; an invalidated
//! verification reads EXPIRED with `invalidatedBy` naming its successor; step values beyond
//! the seed's (PENDING, VERIFIED, PASSED) are REJECTED, FAILED, CLEAR and MATCH.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::records::Verification;
use crate::state::{AppState, Shared};

/// The most entries one list page holds (the seed's maximum).
pub const MAX_LIMIT: u64 = 100;
/// The longest `reviewedBy` / `reviewNotes` the sandbox accepts (the seed names no limit; a
/// real API has one, so the client's validation is exercised).
pub const MAX_NOTES: usize = 5_000;

pub fn error(status: StatusCode, message: &str) -> Response {
    let word = status.canonical_reason().unwrap_or("Error");
    (
        status,
        Json(json!({"statusCode": status.as_u16(), "error": word, "message": message})),
    )
        .into_response()
}

pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        None => Err(error(StatusCode::UNAUTHORIZED, "Missing X-API-Key header")),
        Some(k) if k == shared.verifyhq_key => Ok(k.to_owned()),
        Some(_) => Err(error(StatusCode::UNAUTHORIZED, "Invalid API key")),
    }
}

fn body_object(bytes: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        )),
    }
}

fn not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("Verification {id} not found"),
    )
}

/// `POST /v1/verifications/identity`: a new verification, or the user's active one again.
pub async fn start(State(shared): State<AppState>, bytes: Bytes) -> Response {
    let body = match body_object(&bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(user_id) = body
        .get("userId")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| !u.is_empty() && u.len() <= 200)
    else {
        return error(StatusCode::BAD_REQUEST, "userId is required");
    };
    let tier = match body.get("tier") {
        None | Some(Value::Null) => "BASIC",
        Some(Value::String(t)) if t == "BASIC" => "BASIC",
        Some(Value::String(t)) if t == "STANDARD" => "STANDARD",
        Some(Value::String(t)) if t == "ENHANCED" => "ENHANCED",
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "tier must be one of BASIC, STANDARD, ENHANCED",
            )
        }
    };
    let mut world = shared.world();
    if let Some(active) = world
        .verifyhq
        .iter()
        .find(|v| v.user_id == user_id && v.active())
    {
        return Json(active.to_json()).into_response();
    }
    let answer = world.start_verification(user_id, tier);
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// `GET /v1/verifications/identity/:id`.
pub async fn get_one(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let world = shared.world();
    match world.verifyhq.iter().find(|v| v.id == id) {
        Some(v) => Json(v.to_json()).into_response(),
        None => not_found(&id),
    }
}

fn number(params: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, Response> {
    match params.get(name) {
        None => Ok(default),
        Some(text) => text.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("{name} must be a positive integer"),
            )
        }),
    }
}

/// `GET /v1/verifications/identity/user/:userId?page&limit`: newest first.
pub async fn of_user(
    State(shared): State<AppState>,
    Path(user_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (page, limit) = match (number(&params, "page", 1), number(&params, "limit", 20)) {
        (Ok(p), Ok(l)) => (p, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if limit > MAX_LIMIT {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("limit must not be greater than {MAX_LIMIT}"),
        );
    }
    let world = shared.world();
    let mut all: Vec<&Verification> = world
        .verifyhq
        .iter()
        .filter(|v| v.user_id == user_id)
        .collect();
    all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let data: Vec<Value> = all
        .iter()
        .skip(((page - 1) * limit) as usize)
        .take(limit as usize)
        .map(|v| v.to_json())
        .collect();
    Json(json!({"data": data, "page": page, "limit": limit, "total": all.len()})).into_response()
}

/// `POST /v1/verifications/identity/:id/review`.
pub async fn review(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let body = match body_object(&bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let decision = match body.get("decision").and_then(Value::as_str) {
        Some("VERIFIED") => "VERIFIED",
        Some("REJECTED") => "REJECTED",
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "decision must be one of VERIFIED, REJECTED",
            )
        }
        None => return error(StatusCode::BAD_REQUEST, "decision is required"),
    };
    let text = |name: &str| -> Result<String, Response> {
        match body.get(name).and_then(Value::as_str).map(str::trim) {
            Some(t) if !t.is_empty() && t.chars().count() <= MAX_NOTES => Ok(t.to_owned()),
            Some(t) if !t.is_empty() => Err(error(
                StatusCode::BAD_REQUEST,
                &format!("{name} must be at most {MAX_NOTES} characters"),
            )),
            _ => Err(error(
                StatusCode::BAD_REQUEST,
                &format!("{name} is required"),
            )),
        }
    };
    let (reviewed_by, review_notes) = match (text("reviewedBy"), text("reviewNotes")) {
        (Ok(by), Ok(notes)) => (by, notes),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let mut world = shared.world();
    let Some(index) = world.verifyhq.iter().position(|v| v.id == id) else {
        return not_found(&id);
    };
    let v = &mut world.verifyhq[index];
    if !matches!(v.status, "MANUAL_REVIEW" | "PENDING") {
        return error(
            StatusCode::CONFLICT,
            &format!(
                "Verification {id} is {}: a review is accepted in MANUAL_REVIEW or PENDING",
                v.status
            ),
        );
    }
    Json(world.review_verification(index, decision, reviewed_by, review_notes)).into_response()
}

/// `POST /v1/verifications/identity/:id/restart`: the verification is invalidated and a new
/// one for the same user and tier starts.
pub async fn restart(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let mut world = shared.world();
    let Some(index) = world.verifyhq.iter().position(|v| v.id == id) else {
        return not_found(&id);
    };
    if let Some(next) = &world.verifyhq[index].invalidated_by {
        return error(
            StatusCode::CONFLICT,
            &format!("Verification {id} was already restarted as {next}"),
        );
    }
    (StatusCode::CREATED, Json(world.restart_verification(index))).into_response()
}
