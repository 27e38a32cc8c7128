//! Didit v3 endpoints: sessions list, decision, update-status, reviews, blocklist, users.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::changes::StatusUpdate;
use crate::decision::{self, list_row};
use crate::reply::{detail, field_error, json_body, session_index};
use crate::seed::{COUNTRIES, WORKFLOWS};
use crate::state::AppState;
use crate::world::{iso, Session, World};

const ELIGIBLE: [&str; 6] = [
    "Approved",
    "Declined",
    "In Review",
    "Kyc Expired",
    "Abandoned",
    "Resubmitted",
];

fn number(params: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, Response> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| field_error(name, "A valid integer is required.")),
    }
}

/// DRF limit/offset pagination with absolute `next` / `previous` links.
fn page(
    shared: &AppState,
    path: &str,
    params: &HashMap<String, String>,
    items: Vec<Value>,
    default_limit: usize,
) -> Response {
    let (limit, offset) = match (
        number(params, "limit", default_limit),
        number(params, "offset", 0),
    ) {
        (Ok(l), Ok(o)) => (l.clamp(1, 1000), o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let count = items.len();
    let link = |offset: usize| {
        let mut query: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k.as_str() != "offset" && k.as_str() != "limit")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        query.sort();
        query.push(("limit".into(), limit.to_string()));
        query.push(("offset".into(), offset.to_string()));
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", k, encode(v)))
            .collect();
        json!(format!("{}{}?{}", shared.base_url, path, encoded.join("&")))
    };
    let next = if offset + limit < count {
        link(offset + limit)
    } else {
        Value::Null
    };
    let previous = if offset > 0 {
        link(offset.saturating_sub(limit))
    } else {
        Value::Null
    };
    let results: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    Json(json!({"count": count, "next": next, "previous": previous, "results": results}))
        .into_response()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn matches_filters(world: &World, s: &Session, params: &HashMap<String, String>) -> bool {
    // Case-sensitive; an unknown value matches nothing (api-facts Corrections 2).
    if let Some(statuses) = params.get("status") {
        if !statuses.split(',').any(|st| st.trim() == s.status) {
            return false;
        }
    }
    let p = &world.people[s.person];
    let fixture = s.fixture.as_ref();
    let vendor = fixture
        .and_then(|f| f["vendor_data"].as_str())
        .unwrap_or(&p.vendor_data);
    if params.get("vendor_data").is_some_and(|v| v != vendor) {
        return false;
    }
    if params
        .get("workflow_id")
        .is_some_and(|w| fixture.is_some() || w != WORKFLOWS[s.workflow].id)
    {
        return false;
    }
    if params
        .get("country")
        .is_some_and(|c| fixture.is_some() || !c.eq_ignore_ascii_case(COUNTRIES[p.country].alpha3))
    {
        return false;
    }
    // Any of the comma-separated risk codes, as the session's warnings carry them now.
    if let Some(codes) = params.get("warning") {
        let wanted: Vec<&str> = codes.split(',').map(str::trim).collect();
        if !world
            .live_warnings(s)
            .iter()
            .any(|(w, _)| wanted.contains(&w.risk))
        {
            return false;
        }
    }
    if let Some(q) = params.get("search").map(|q| q.to_lowercase()) {
        let haystack = format!(
            "{} {} {} {} {} {}",
            vendor, p.given_latin, p.family_latin, p.document_number, p.phone, p.email
        )
        .to_lowercase();
        if !haystack.contains(&q) {
            return false;
        }
    }
    true
}

pub async fn list_sessions(
    State(shared): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if params
        .get("session_kind")
        .is_some_and(|k| !matches!(k.as_str(), "user" | "business" | "all"))
    {
        return field_error("session_kind", "Select a valid choice.");
    }
    let world = shared.world();
    let business_only = params.get("session_kind").is_some_and(|k| k == "business");
    // Newest first. Rows are built only for the requested page.
    let mut chosen: Vec<&Session> = if business_only {
        Vec::new()
    } else {
        world
            .sessions
            .iter()
            .filter(|s| matches_filters(&world, s, &params))
            .collect()
    };
    chosen.sort_by_key(|s| std::cmp::Reverse(s.number));
    let limit = number(&params, "limit", 50).unwrap_or(50).clamp(1, 1000);
    let offset = number(&params, "offset", 0).unwrap_or(0);
    let rows: Vec<Value> = chosen
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i >= offset && i < offset + limit {
                list_row(&world, s)
            } else {
                Value::Null
            }
        })
        .collect();
    page(&shared, "/v3/sessions/", &params, rows, 50)
}

pub async fn decision(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let world = shared.world();
    match session_index(&world, &id) {
        Ok(i) => Json(decision::decision(&world, &world.sessions[i])).into_response(),
        Err(not_found) => not_found,
    }
}

fn opt_str<'a>(body: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Response> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(field_error(field, "Not a valid string.")),
    }
}

/// `new_status`, one of `allowed`, with DRF's messages.
fn new_status(body: &Map<String, Value>, allowed: &[&str]) -> Result<String, Response> {
    match body.get("new_status").and_then(Value::as_str) {
        Some(s) if allowed.contains(&s) => Ok(s.to_owned()),
        Some(other) => Err(field_error(
            "new_status",
            &format!("\"{other}\" is not a valid choice."),
        )),
        None => Err(field_error("new_status", "This field is required.")),
    }
}

/// The optional `comment`, at most 10,000 characters.
fn comment(body: &Map<String, Value>) -> Result<Option<String>, Response> {
    let comment = opt_str(body, "comment")?.map(str::to_owned);
    if comment.as_ref().is_some_and(|c| c.chars().count() > 10_000) {
        return Err(field_error(
            "comment",
            "Ensure this field has no more than 10000 characters.",
        ));
    }
    Ok(comment)
}

fn valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.contains(char::is_whitespace)
}

/// Reads an update-status body for session `i` (in status `current`) with DRF's messages; a
/// repeat of the current status is answered here too (Ok(Err(answer))).
fn status_update(
    world: &World,
    i: usize,
    current: &str,
    body: &Map<String, Value>,
    same_status_ok: bool,
) -> Result<Result<StatusUpdate, Response>, Response> {
    let new_status = new_status(body, &["Approved", "Declined", "Resubmitted"])?;
    if new_status == current {
        // Didit's sources disagree (api-facts Corrections 5): its OpenAPI answers 400 with a bare
        // list; a newer page makes a repeated Approved / Declined a 200 no-op.
        if same_status_ok && new_status != "Resubmitted" {
            let id = &world.sessions[i].id;
            return Ok(Err(
                Json(json!({"session_id": id, "session_kind": "user"})).into_response()
            ));
        }
        return Err((
            StatusCode::BAD_REQUEST,
            Json(json!(["The new status is the same as the current status."])),
        )
            .into_response());
    }
    let comment = comment(body)?;
    let send_email = body
        .get("send_email")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if send_email {
        match body.get("email_address").and_then(Value::as_str) {
            Some(a) if valid_email(a) => {}
            Some(_) => return Err(field_error("email_address", "Enter a valid email address.")),
            None => {
                return Err(field_error(
                    "email_address",
                    "This field is required when send_email is true.",
                ))
            }
        }
    }
    let redo = if new_status == "Resubmitted" {
        nodes_to_redo(world, i, body)?
    } else {
        Vec::new()
    };
    Ok(Ok(StatusUpdate {
        new_status,
        comment,
        send_email,
        email_address: body.get("email_address").cloned().unwrap_or(Value::Null),
        email_language: body.get("email_language").cloned().unwrap_or(Value::Null),
        redo,
    }))
}

/// The nodes a resubmission redoes: those named (each of this session), or by default every
/// node that did not pass.
fn nodes_to_redo(
    world: &World,
    i: usize,
    body: &Map<String, Value>,
) -> Result<Vec<String>, Response> {
    let nodes = decision::nodes(world, &world.sessions[i]);
    let redo: Vec<String> = match body.get("nodes_to_resubmit") {
        None | Some(Value::Null) => nodes
            .iter()
            .filter(|(_, _, st)| {
                matches!(
                    st.as_str(),
                    "Declined" | "In Review" | "Not Finished" | "Expired"
                )
            })
            .map(|(n, _, _)| n.clone())
            .collect(),
        Some(Value::Array(items)) => {
            let mut named = Vec::new();
            for item in items {
                let node = item["node_id"].as_str().unwrap_or_default();
                if !nodes.iter().any(|(n, _, _)| n == node) {
                    return Err(field_error(
                        "nodes_to_resubmit",
                        &format!("Node {node:?} does not belong to this session."),
                    ));
                }
                named.push(node.to_owned());
            }
            named
        }
        Some(_) => {
            return Err(field_error(
                "nodes_to_resubmit",
                "Expected a list of items.",
            ))
        }
    };
    if redo.is_empty() {
        return Err((
            StatusCode::BAD_REQUEST,
            Json(json!(["Nothing to resubmit for this session."])),
        )
            .into_response());
    }
    Ok(redo)
}

pub async fn update_status(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let mut world = shared.world();
    let i = match session_index(&world, &id) {
        Ok(i) => i,
        Err(not_found) => return not_found,
    };
    let (race, same_status_ok) = shared
        .faults
        .lock()
        .map(|mut f| {
            let race = world.sessions[i].status == "In Review" && f.take_compete();
            (race, f.same_status_ok)
        })
        .unwrap_or((false, false));
    if race {
        world.console_decision(
            i,
            "Approved",
            Some("decided in the console"),
            "racing.reviewer@dhmad.tn",
        );
    }
    let current = world.sessions[i].status.clone();
    // Eligibility is checked before the body (api-facts A10.2 rule 1).
    if !ELIGIBLE.contains(&current.as_str()) {
        return detail(
            StatusCode::BAD_REQUEST,
            &format!("Cannot update the status of a session in status {current}."),
        );
    }
    let update = match json_body(&bytes)
        .and_then(|body| status_update(&world, i, &current, &body, same_status_ok))
    {
        Ok(Ok(update)) => update,
        Ok(Err(answered)) | Err(answered) => return answered,
    };
    world.api_status_update(i, update);
    Json(json!({"session_id": id, "session_kind": "user"})).into_response()
}

const AML_HIT_STATUSES: [&str; 4] = [
    "Unreviewed",
    "Confirmed Match",
    "False Positive",
    "Inconclusive",
];
const AML_CHECK_STATUSES: [&str; 5] = [
    "Approved",
    "Declined",
    "In Review",
    "Not Finished",
    "Resub Requested",
];

/// A required choice field with DRF's messages.
fn choice(body: &Map<String, Value>, field: &str, allowed: &[&str]) -> Result<String, Response> {
    match body.get(field).and_then(Value::as_str) {
        Some(s) if allowed.contains(&s) => Ok(s.to_owned()),
        Some(other) => Err(field_error(
            field,
            &format!("\"{other}\" is not a valid choice."),
        )),
        None => Err(field_error(field, "This field is required.")),
    }
}

/// A feed entry for an AML change (no session status change).
/// The session's index and the request's JSON body, or the documented error.
fn session_and_body(
    world: &World,
    id: &str,
    bytes: &Bytes,
) -> Result<(usize, Map<String, Value>), Response> {
    Ok((session_index(world, id)?, json_body(bytes)?))
}

/// Marks one AML hit; the session's own status does not change.
pub async fn update_aml_hit_status(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let mut world = shared.world();
    let (i, body) = match session_and_body(&world, &id, &bytes) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(hit_id) = body
        .get("hit_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return field_error("hit_id", "This field is required.");
    };
    let status = match choice(&body, "review_status", &AML_HIT_STATUSES) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let hits = decision::aml_hits(&world, &world.sessions[i]);
    let Some((_, previous)) = hits.into_iter().find(|(h, _)| *h == hit_id) else {
        return detail(StatusCode::NOT_FOUND, "AML hit not found.");
    };
    world.review_aml_hit(i, &hit_id, &previous, &status);
    Json(json!({"session_id": id, "hit_id": hit_id, "review_status": status})).into_response()
}

/// Sets the AML check's status (the latest AML check); the session status is not recomputed.
pub async fn update_aml_status(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let mut world = shared.world();
    let (i, body) = match session_and_body(&world, &id, &bytes) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let status = match choice(&body, "status", &AML_CHECK_STATUSES) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let current = decision::decision(&world, &world.sessions[i]);
    let Some(previous) = current["aml_screenings"]
        .as_array()
        .and_then(|c| c.last())
        .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
    else {
        return detail(StatusCode::NOT_FOUND, "This session has no AML check.");
    };
    world.set_aml_status(i, &previous, &status);
    Json(json!({"session_id": id, "status": status})).into_response()
}

pub async fn list_reviews(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.world();
    let i = match session_index(&world, &id) {
        Ok(i) => i,
        Err(not_found) => return not_found,
    };
    let mut items = world.sessions[i].reviews.clone();
    if params.get("ordering").map(String::as_str) != Some("created_at") {
        items.reverse();
    }
    drop(world);
    page(
        &shared,
        &format!("/v3/sessions/{id}/reviews/"),
        &params,
        items,
        50,
    )
}

pub async fn create_review(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let mut world = shared.world();
    let i = match session_index(&world, &id) {
        Ok(i) => i,
        Err(not_found) => return not_found,
    };
    let body = match json_body(&bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let new_status = match new_status(&body, &["Approved", "Declined", "In Review"]) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let comment = match comment(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let current = world.sessions[i].status.clone();
    if !ELIGIBLE.contains(&current.as_str()) {
        return detail(
            StatusCode::BAD_REQUEST,
            &format!("Cannot review a session in status {current}."),
        );
    }
    let entry = world.api_review(i, &new_status, comment.as_deref());
    (
        StatusCode::CREATED,
        Json(json!({"user": "API Client", "new_status": new_status, "comment": comment, "created_at": entry["created_at"]})),
    )
        .into_response()
}

fn blocklist_change(shared: &AppState, bytes: &Bytes, prefix: &str, add: bool) -> Response {
    let body = match json_body(bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(id) = body
        .get("session_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return field_error("session_id", "This field is required.");
    };
    let mut world = shared.world();
    let i = match session_index(&world, &id) {
        Ok(i) => i,
        Err(not_found) => return not_found,
    };
    let items = world.items(&world.sessions[i]);
    let flagged = items
        .iter()
        .any(|(kind, _)| body.get(&format!("{prefix}_{kind}")) == Some(&Value::Bool(true)));
    if !flagged {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"non_field_errors": [format!("At least one {prefix}_* flag must be true.")]})),
        )
            .into_response();
    }
    // Every flag is checked before anything changes: a bad one refuses the whole request.
    let mut chosen = Vec::new();
    for (kind, key) in items {
        let flag = format!("{prefix}_{kind}");
        match body.get(&flag) {
            None | Some(Value::Null) | Some(Value::Bool(false)) => continue,
            Some(Value::Bool(true)) => chosen.push((kind, key)),
            Some(_) => return field_error(&flag, "Must be a valid boolean."),
        }
    }
    world.change_blocklist(&id, chosen, add);
    let message = if add {
        "Successfully updated blocklist."
    } else {
        "Successfully removed from blocklist."
    };
    Json(json!({"message": message})).into_response()
}

pub async fn blocklist_add(State(shared): State<AppState>, bytes: Bytes) -> Response {
    blocklist_change(&shared, &bytes, "blocklist", true)
}

pub async fn blocklist_remove(State(shared): State<AppState>, bytes: Bytes) -> Response {
    blocklist_change(&shared, &bytes, "unblock", false)
}

pub async fn list_blocklist(
    State(shared): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let kind = params.get("item_type").cloned();
    if kind
        .as_deref()
        .is_some_and(|k| !matches!(k, "face" | "document" | "phone" | "email"))
    {
        return field_error("item_type", "Select a valid choice.");
    }
    let world = shared.world();
    // Newest first (api-facts Corrections 9).
    let mut entries: Vec<_> = world
        .blocklist
        .entries
        .iter()
        .filter(|((k, _), _)| kind.as_deref().is_none_or(|want| want == *k))
        .collect();
    entries.sort_by_key(|(_, (_, at))| std::cmp::Reverse(*at));
    let items: Vec<Value> = entries
        .into_iter()
        .map(|((k, key), (source, at))| {
            let s = world.find(source).map(|i| &world.sessions[i]);
            let number = s.map(|s| s.number);
            json!({
                "type": k, "session_id": source, "session_number": number, "blocklisted_at": iso(*at),
                "face_image": if *k == "face" { s.map(|s| json!(world.media_url(s, "face/blocked.jpg"))).unwrap_or(Value::Null) } else { Value::Null },
                "document_type": if *k == "document" { json!("Identity Card") } else { Value::Null },
                "document_number": if *k == "document" { json!(key) } else { Value::Null },
                "front_image": if *k == "document" { s.map(|s| json!(world.media_url(s, "ocr/front.jpg"))).unwrap_or(Value::Null) } else { Value::Null },
                "phone_number": if *k == "phone" { json!(key) } else { Value::Null },
                "country_code": Value::Null,
                "email": if *k == "email" { json!(key) } else { Value::Null },
            })
        })
        .collect();
    drop(world);
    page(&shared, "/v3/blocklist/", &params, items, 20)
}

fn user_value(world: &World, vendor_data: &str) -> Option<Value> {
    let sessions: Vec<&Session> = world
        .sessions
        .iter()
        .filter(|s| s.fixture.is_none() && world.people[s.person].vendor_data == vendor_data)
        .collect();
    let first = sessions.first()?;
    let p = &world.people[first.person];
    let count = |st: &str| sessions.iter().filter(|s| s.status == st).count();
    let last = sessions
        .iter()
        .map(|s| s.created_at)
        .max()
        .unwrap_or(first.created_at);
    let face_blocked = world
        .blocklist
        .entries
        .contains_key(&("face", format!("face-{}", first.person)));
    Some(json!({
        "didit_internal_id": format!("{}-0000-4000-8000-{:012}", &first.id[..8], first.person),
        "vendor_data": vendor_data,
        "display_name": format!("{} {}", p.given_latin, p.family_latin),
        "full_name": format!("{} {}", p.given_latin, p.family_latin),
        "effective_name": format!("{} {}", p.given_latin, p.family_latin),
        "date_of_birth": p.date_of_birth,
        "status": if face_blocked { "BLOCKED" } else if count("In Review") > 0 { "FLAGGED" } else { "ACTIVE" },
        "portrait_image_url": world.media_url(first, "user/portrait.jpg"),
        "session_count": sessions.len(),
        "approved_count": count("Approved"),
        "declined_count": count("Declined"),
        "in_review_count": count("In Review"),
        "issuing_states": [COUNTRIES[p.country].alpha3],
        "approved_emails": [], "approved_phones": [],
        "features": {}, "features_list": [],
        "first_session_at": iso(sessions.iter().map(|s| s.created_at).min().unwrap_or(last)),
        "last_session_at": iso(last), "last_activity_at": iso(last), "created_at": iso(first.created_at),
        "tags": [],
    }))
}

pub async fn list_users(
    State(shared): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.world();
    let mut seen = std::collections::HashSet::new();
    let mut vendors: Vec<(chrono::DateTime<Utc>, String)> = Vec::new();
    for s in world.sessions.iter().filter(|s| s.fixture.is_none()) {
        let v = &world.people[s.person].vendor_data;
        if seen.insert(v.clone()) {
            let last = world
                .sessions
                .iter()
                .filter(|o| o.person == s.person)
                .map(|o| o.created_at)
                .max()
                .unwrap_or(s.created_at);
            vendors.push((last, v.clone()));
        }
    }
    vendors.sort_by_key(|v| std::cmp::Reverse(v.0));
    let limit = number(&params, "limit", 50).unwrap_or(50).clamp(1, 200);
    let offset = number(&params, "offset", 0).unwrap_or(0);
    let items: Vec<Value> = vendors
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            if i >= offset && i < offset + limit {
                user_value(&world, v).unwrap_or(Value::Null)
            } else {
                Value::Null
            }
        })
        .collect();
    drop(world);
    page(&shared, "/v3/users/", &params, items, 50)
}

pub async fn get_user(State(shared): State<AppState>, Path(vendor_data): Path<String>) -> Response {
    let world = shared.world();
    match user_value(&world, &vendor_data) {
        Some(mut user) => {
            user["metadata"] = json!({});
            user["updated_at"] = user["last_activity_at"].clone();
            user["comments"] = json!([]);
            Json(user).into_response()
        }
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

fn workflow_value(index: usize) -> Value {
    let w = &WORKFLOWS[index];
    json!({
        "uuid": w.id, "workflow_id": w.id, "workflow_label": w.label, "workflow_type": "kyc",
        "is_default": index == 0, "is_archived": false, "features": w.features.join(" + "),
        "is_simple_workflow": true, "is_editable": true, "version": 1, "status": "published",
        "has_draft": false, "max_retry_attempts": 3, "retry_window_days": 7,
        "session_expiration_time": 604800, "updated_at": "2026-10-01T09:00:00Z",
        "workflow_url": format!("https://verify.didit.me/u/sandbox-{index}"),
    })
}

/// `GET /v3/workflows/`: the account's workflows, one row per version, newest first.
pub async fn list_workflows(
    State(shared): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let rows: Vec<Value> = (0..WORKFLOWS.len()).rev().map(workflow_value).collect();
    page(&shared, "/v3/workflows/", &params, rows, 50)
}

/// `GET /v3/workflows/{settings_uuid}/`: one version's settings, thresholds where the seed sets
/// them (the last workflow has none, so the desk falls back to Didit's documented defaults).
pub async fn get_workflow(Path(id): Path<String>) -> Response {
    let Some(index) = WORKFLOWS.iter().position(|w| w.id == id) else {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };
    let mut value = workflow_value(index);
    let w = &WORKFLOWS[index];
    value["is_liveness_enabled"] = json!(w.features.contains(&"LIVENESS"));
    value["is_face_match_enabled"] = json!(w.features.contains(&"FACE_MATCH"));
    value["is_aml_enabled"] = json!(w.features.contains(&"AML"));
    if let Some((liveness, face)) = WORKFLOW_THRESHOLDS.get(index) {
        value["face_liveness_score_decline_threshold"] = json!(liveness.0);
        value["face_liveness_score_review_threshold"] = json!(liveness.1);
        value["face_match_score_decline_threshold"] = json!(face.0);
        value["face_match_score_review_threshold"] = json!(face.1);
    }
    Json(value).into_response()
}

/// (liveness decline, review), (face match decline, review) per seeded workflow, where set.
const WORKFLOW_THRESHOLDS: [((u32, u32), (u32, u32)); 2] =
    [((50, 70), (40, 60)), ((55, 75), (45, 65))];
