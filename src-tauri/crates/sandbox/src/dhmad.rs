//! DHMAD v1 identity verifications (api-facts Part B): records in every state, Bearer or
//! X-API-Key auth, the `{error, message}` envelope, sandbox auto-approval.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use crate::records::Record;
use crate::state::{AppState, Shared};

/// `sk_(live|sandbox)_` followed by 64 lower-case hex digits.
pub fn valid_key(key: &str) -> bool {
    let rest = key
        .strip_prefix("sk_live_")
        .or_else(|| key.strip_prefix("sk_sandbox_"));
    rest.is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub fn error(status: StatusCode, message: &str) -> Response {
    let word = status.canonical_reason().unwrap_or("Error");
    (status, Json(json!({"error": word, "message": message}))).into_response()
}

pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let key = bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()));
    match key {
        None => Err(error(
            StatusCode::UNAUTHORIZED,
            "API key required: send it in the Authorization or X-API-Key header",
        )),
        Some(k) if k == shared.dhmad_key => Ok(k.to_owned()),
        Some(_) => Err(error(
            StatusCode::UNAUTHORIZED,
            "Invalid or expired API key",
        )),
    }
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|l| !l.is_empty())
        && !email.contains(char::is_whitespace)
        && email.len() <= 254
}

pub async fn get_one(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return error(StatusCode::BAD_REQUEST, "Invalid verification ID");
    }
    let world = shared.world();
    match world.dhmad.iter().find(|r| r.id == id) {
        Some(r) => Json(r).into_response(),
        None => error(StatusCode::NOT_FOUND, "Verification not found"),
    }
}

pub async fn list(
    State(shared): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(email) = params
        .get("email")
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
    else {
        return error(StatusCode::BAD_REQUEST, "email query parameter is required");
    };
    let world = shared.world();
    let mut found: Vec<&Record> = world.dhmad.iter().filter(|r| r.email == email).collect();
    found.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    found.truncate(20);
    Json(json!({"verifications": found})).into_response()
}

pub async fn create(State(shared): State<AppState>, bytes: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&bytes) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        );
    };
    let Some(email) = body
        .get("email")
        .and_then(Value::as_str)
        .map(|e| e.trim().to_lowercase())
    else {
        return error(StatusCode::BAD_REQUEST, "email is required");
    };
    if !valid_email(&email) {
        return error(StatusCode::BAD_REQUEST, "Invalid email address");
    }
    if email.ends_with("@blocked.example") || email.ends_with("@mailinator.com") {
        return error(StatusCode::FORBIDDEN, "This email domain is not allowed");
    }
    if let Some(metadata) = body.get("metadata") {
        let ok = metadata.as_object().is_some_and(|m| {
            m.values()
                .all(|v| v.as_str().is_some_and(|s| s.chars().count() <= 500))
        });
        if !ok {
            return error(
                StatusCode::BAD_REQUEST,
                "metadata values must be strings of at most 500 characters",
            );
        }
    }
    let external = body
        .get("external_user_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let sandbox = shared.dhmad_key.starts_with("sk_sandbox_");
    let now = Utc::now();
    let mut world = shared.world();
    if world
        .dhmad
        .iter()
        .any(|r| r.email == email && r.kyc_status == "approved" && r.claim_status == "linked")
    {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "Conflict", "message": "This email already has verified KYC on DHMAD.", "user_exists": true})),
        )
            .into_response();
    }
    if let Some(pos) = world
        .dhmad
        .iter()
        .position(|r| r.email == email && r.kyc_status == "pending")
    {
        // Same pending record; the invite is re-sent at most once per 5 minutes.
        let answer = world.resend_invite(pos, now);
        return (StatusCode::OK, Json(answer)).into_response();
    }
    let answer = world.create_verification(&email, external.as_deref(), sandbox, now);
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// Test hook: a DHMAD user registers with the record's email and claims it.
pub async fn link(State(shared): State<AppState>, Json(body): Json<Value>) -> Response {
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let mut world = shared.world();
    let Some(pos) = world.dhmad.iter().position(|r| r.id == id) else {
        return error(StatusCode::NOT_FOUND, "Verification not found");
    };
    Json(world.link_verification(pos, Utc::now())).into_response()
}
