//! VerifyHQ identity verifications (seed 004): exactly the seed's five endpoints under `/v1`,
//! `X-API-Key` auth, and every rule the seed states — one active (PENDING / IN_PROGRESS)
//! verification per user is returned again, not duplicated; a review only from MANUAL_REVIEW or
//! PENDING, with `decision` (VERIFIED | REJECTED), `reviewedBy` and `reviewNotes` all required;
//! restart invalidates the verification and starts a new one; lists page with `page` and
//! `limit` (at most 100). What the seed leaves open is chosen here and said so: the list answers
//! `{data, page, limit, total}`; errors answer `{statusCode, error, message}`; an invalidated
//! verification reads EXPIRED with `invalidatedBy` naming its successor; step values beyond
//! the seed's (PENDING, VERIFIED, PASSED) are REJECTED, FAILED, CLEAR and MATCH.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::http::AppState;
use crate::seed::Rng;
use crate::world::iso;
use crate::Shared;

/// The most entries one list page holds (the seed's maximum).
pub const MAX_LIMIT: u64 = 100;
/// The longest `reviewedBy` / `reviewNotes` the sandbox accepts (the seed names no limit; a
/// real API has one, so the client's validation is exercised).
pub const MAX_NOTES: usize = 5_000;

#[derive(Debug, Clone)]
pub struct Verification {
    pub id: String,
    pub user_id: String,
    pub tier: &'static str,
    pub status: &'static str,
    pub steps: BTreeMap<&'static str, &'static str>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub review: Option<Review>,
    pub invalidated_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub decision: &'static str,
    pub reviewed_by: String,
    pub review_notes: String,
    pub reviewed_at: DateTime<Utc>,
}

impl Verification {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "userId": self.user_id,
            "tier": self.tier,
            "status": self.status,
            "steps": self.steps,
            "createdAt": iso(self.created_at),
        });
        if let Some(at) = self.completed_at {
            v["completedAt"] = json!(iso(at));
        }
        if let Some(r) = &self.review {
            v["reviewedBy"] = json!(r.reviewed_by);
            v["reviewNotes"] = json!(r.review_notes);
            v["reviewedAt"] = json!(iso(r.reviewed_at));
        }
        if let Some(next) = &self.invalidated_by {
            v["invalidatedBy"] = json!(next);
        }
        v
    }

    fn active(&self) -> bool {
        matches!(self.status, "PENDING" | "IN_PROGRESS")
    }
}

/// The steps a tier runs, all pending.
fn pending_steps(tier: &str) -> BTreeMap<&'static str, &'static str> {
    let mut steps = BTreeMap::from([("document", "PENDING")]);
    if tier != "BASIC" {
        steps.insert("liveness", "PENDING");
    }
    if tier == "ENHANCED" {
        steps.insert("sanctions", "PENDING");
    }
    steps
}

fn new_id(rng: &mut Rng) -> String {
    format!("ver_{}", rng.hex(12))
}

/// Users whose verifications wait in MANUAL_REVIEW (most), with some decided or pending ones
/// and, for every fifth user, an older rejected verification before the current one.
pub fn seed(seed: u64, users: usize, now: DateTime<Utc>) -> Vec<Verification> {
    const TIERS: [&str; 3] = ["BASIC", "STANDARD", "ENHANCED"];
    const OTHERS: [&str; 4] = ["VERIFIED", "REJECTED", "PENDING", "IN_PROGRESS"];
    let mut out = Vec::new();
    for u in 0..users {
        let mut rng = Rng::new(seed, 7_000_000 + u as u64);
        let user_id = format!("vhq_user_{:04}", u + 1);
        let tier = TIERS[u % TIERS.len()];
        let age = Duration::seconds(rng.below(48 * 3600) as i64 + 600);
        if u % 5 == 4 {
            let mut old = Verification {
                id: new_id(&mut rng),
                user_id: user_id.clone(),
                tier,
                status: "REJECTED",
                steps: pending_steps(tier),
                created_at: now - age - Duration::days(3),
                completed_at: Some(now - age - Duration::days(3) + Duration::minutes(9)),
                review: None,
                invalidated_by: None,
            };
            old.steps.insert("document", "REJECTED");
            out.push(old);
        }
        let status = if u % 4 == 3 {
            OTHERS[(u / 4) % OTHERS.len()]
        } else {
            "MANUAL_REVIEW"
        };
        let mut steps = pending_steps(tier);
        if status != "PENDING" {
            // What flagged it: a weak liveness, a sanctions hit, or a document to look at.
            steps.insert(
                "document",
                if rng.chance(70) {
                    "VERIFIED"
                } else {
                    "REJECTED"
                },
            );
            if steps.contains_key("liveness") {
                steps.insert("liveness", if rng.chance(75) { "PASSED" } else { "FAILED" });
            }
            if steps.contains_key("sanctions") {
                steps.insert("sanctions", if rng.chance(60) { "CLEAR" } else { "MATCH" });
            }
        }
        let done = matches!(status, "VERIFIED" | "REJECTED");
        out.push(Verification {
            id: new_id(&mut rng),
            user_id,
            tier,
            status,
            steps,
            created_at: now - age,
            completed_at: done.then(|| now - age + Duration::minutes(12)),
            review: None,
            invalidated_by: None,
        });
    }
    out
}

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
    let mut rng = Rng::new(world.seed, 8_000_000 + world.verifyhq.len() as u64);
    let v = Verification {
        id: new_id(&mut rng),
        user_id: user_id.to_owned(),
        tier,
        status: "PENDING",
        steps: pending_steps(tier),
        created_at: Utc::now(),
        completed_at: None,
        review: None,
        invalidated_by: None,
    };
    let answer = v.to_json();
    world.record(
        "verifyhq",
        "start",
        &v.id,
        "",
        json!({"userId": user_id, "tier": tier}),
    );
    world.verifyhq.push(v);
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
    let now = Utc::now();
    v.status = decision;
    v.completed_at = Some(now);
    v.review = Some(Review {
        decision,
        reviewed_by: reviewed_by.clone(),
        review_notes: review_notes.clone(),
        reviewed_at: now,
    });
    let answer = v.to_json();
    world.record(
        "verifyhq",
        &format!("review {decision}"),
        &id,
        &reviewed_by,
        json!({"reviewNotes": review_notes}),
    );
    Json(answer).into_response()
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
    let mut rng = Rng::new(world.seed, 9_000_000 + world.verifyhq.len() as u64);
    let old = &world.verifyhq[index];
    let new = Verification {
        id: new_id(&mut rng),
        user_id: old.user_id.clone(),
        tier: old.tier,
        status: "PENDING",
        steps: pending_steps(old.tier),
        created_at: Utc::now(),
        completed_at: None,
        review: None,
        invalidated_by: None,
    };
    let old = &mut world.verifyhq[index];
    old.status = "EXPIRED";
    old.invalidated_by = Some(new.id.clone());
    let answer = new.to_json();
    let new_id = new.id.clone();
    world.verifyhq.push(new);
    world.record("verifyhq", "restart", &id, "", json!({"new": new_id}));
    (StatusCode::CREATED, Json(answer)).into_response()
}
