//! Routing and the gate every API request passes: trailing-slash redirect, injected faults,
//! authentication, rate limits, and "applied but the answer was lost".

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::json;

use crate::reply::detail;
use crate::state::AppState;
use crate::{control, dhmad, didit, verifyhq};

pub fn router(shared: AppState) -> Router {
    let api = Router::new()
        .route("/v3/sessions/", get(didit::list_sessions))
        .route("/v3/session/{id}/decision/", get(didit::decision))
        .route(
            "/v3/session/{id}/update-aml-hit-status/",
            patch(didit::update_aml_hit_status),
        )
        .route(
            "/v3/session/{id}/update-aml-status/",
            patch(didit::update_aml_status),
        )
        .route(
            "/v3/session/{id}/update-status/",
            patch(didit::update_status),
        )
        .route(
            "/v3/sessions/{id}/reviews/",
            get(didit::list_reviews).post(didit::create_review),
        )
        .route("/v3/blocklist/", get(didit::list_blocklist))
        .route("/v3/blocklist/add/", post(didit::blocklist_add))
        .route("/v3/blocklist/remove/", post(didit::blocklist_remove))
        .route("/v3/workflows/", get(didit::list_workflows))
        .route("/v3/workflows/{id}/", get(didit::get_workflow))
        .route("/v3/users/", get(didit::list_users))
        .route("/v3/users/{vendor_data}/", get(didit::get_user))
        .route(
            "/api/v1/identity-verifications",
            get(dhmad::list).post(dhmad::create),
        )
        .route("/api/v1/identity-verifications/{id}", get(dhmad::get_one))
        .route("/v1/verifications/identity", post(verifyhq::start))
        .route("/v1/verifications/identity/{id}", get(verifyhq::get_one))
        .route(
            "/v1/verifications/identity/user/{user_id}",
            get(verifyhq::of_user),
        )
        .route(
            "/v1/verifications/identity/{id}/review",
            post(verifyhq::review),
        )
        .route(
            "/v1/verifications/identity/{id}/restart",
            post(verifyhq::restart),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), gate));
    Router::new()
        .route("/_sandbox/ledger", get(control::ledger))
        .route(
            "/_sandbox/faults",
            get(control::get_faults).post(control::set_faults),
        )
        .route("/_sandbox/compete", post(control::compete))
        .route("/_sandbox/rate", get(control::rate))
        .route("/_sandbox/dhmad/link", post(dhmad::link))
        .merge(api)
        .with_state(shared)
}

async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        dhmad::error(StatusCode::NOT_FOUND, "Route not found")
    } else {
        detail(StatusCode::NOT_FOUND, "Not found.")
    }
}

/// A body that fails mid-answer: the client sees the connection drop.
fn broken_body() -> Body {
    Body::from_stream(futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault",
        ))
    }))
}

/// Which API a path belongs to: each has its own auth, error envelope and rate scope.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Didit,
    Dhmad,
    VerifyHq,
}

impl Api {
    fn of(path: &str) -> Self {
        if path.starts_with("/api/") {
            Self::Dhmad
        } else if path.starts_with("/v1/") {
            Self::VerifyHq
        } else {
            Self::Didit
        }
    }
}

fn scopes(method: &Method, path: &str) -> Vec<&'static str> {
    match Api::of(path) {
        Api::Dhmad => return vec!["dhmad"],
        Api::VerifyHq => return vec!["verifyhq"],
        Api::Didit => {}
    }
    // The decision endpoint counts against generic-get only (api-facts Corrections 1).
    vec![if method == Method::GET {
        "generic-get"
    } else {
        "generic-write"
    }]
}

fn too_many(api: Api, limit: usize, retry_after: Duration) -> Response {
    let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    let reset = chrono::Utc::now().timestamp() as u64 + secs;
    let mut response = match api {
        Api::Dhmad => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"error": "Too Many Requests", "message": "Rate limit exceeded", "retryAfter": secs})),
        )
            .into_response(),
        Api::VerifyHq => verifyhq::error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Rate limit exceeded, retry in {secs} seconds"),
        ),
        Api::Didit => detail(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Request was throttled. Expected available in {secs} seconds."),
        ),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", "0".to_owned()),
        ("x-ratelimit-reset", reset.to_string()),
        ("retry-after", secs.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

async fn gate(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let api = Api::of(&path);

    if path.starts_with("/v3/") && !path.ends_with('/') {
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("{path}/{query}")) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return response;
    }

    let fault = shared
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take(&method);
    if fault.latency > Duration::ZERO {
        tokio::time::sleep(fault.latency).await;
    }
    if fault.reset {
        return Response::new(broken_body());
    }
    if let Some(status) = fault.fail_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return match api {
            Api::Dhmad => dhmad::error(status, "Injected server error"),
            Api::VerifyHq => verifyhq::error(status, "Injected server error"),
            Api::Didit => {
                (status, "<html><body><h1>Server Error</h1></body></html>").into_response()
            }
        };
    }
    if let Some(retry_after) = fault.throttle {
        return too_many(api, 0, retry_after);
    }

    let key = if api == Api::Dhmad {
        match dhmad::authenticate(&shared, request.headers()) {
            Ok(key) => key,
            Err(response) => return response,
        }
    } else if api == Api::VerifyHq {
        match verifyhq::authenticate(&shared, request.headers()) {
            Ok(key) => key,
            Err(response) => return response,
        }
    } else {
        match request
            .headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
        {
            None => {
                return detail(
                    StatusCode::FORBIDDEN,
                    "Authentication credentials were not provided.",
                )
            }
            Some(k) if k != shared.didit_key => {
                return detail(StatusCode::UNAUTHORIZED, "Invalid API key.")
            }
            Some(k) => k.to_owned(),
        }
    };

    let admitted = shared
        .windows
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .admit(&key, &scopes(&method, &path), Instant::now());
    if let Err(refusal) = admitted {
        return too_many(api, refusal.limit, refusal.retry_after);
    }

    let response = next.run(request).await;
    if fault.lose_response && response.status().is_success() {
        // The effect is applied (and in the ledger); the client never learns it.
        return Response::new(broken_body());
    }
    response
}
