//! The sandbox's own endpoints under `/_sandbox/`: fault injection, the ledger of applied
//! effects, rate-limit figures, a competing reviewer, and fixture loading.

use std::path::Path;
use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::http::{detail, AppState};
use crate::world::{iso, Session, World};
use crate::SandboxError;

/// Faults to inject into the next API requests. Counters count down as requests consume them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every API request.
    pub latency_ms: u64,
    /// The next N requests answer `fail_status` (default 503) without effect.
    pub fail_next: u32,
    pub fail_status: Option<u16>,
    /// Besides `fail_next`, this share of requests (0-100 %) answers `fail_status`, drawn from a
    /// fixed sequence so a run is repeatable.
    pub error_rate_percent: u8,
    #[serde(skip)]
    rolls: u64,
    /// The next N requests answer 429 with `Retry-After: retry_after_secs`.
    pub throttle_next: u32,
    pub retry_after_secs: u64,
    /// The next N requests have their connection reset before any effect.
    pub reset_next: u32,
    /// The next N writes are applied, then their answer is lost (connection reset).
    pub lose_response_next: u32,
    /// While true the APIs are down: every request's connection is reset, nothing applies.
    pub down: bool,
    /// The next N status updates of a session in review are raced by another reviewer: their
    /// console decision lands just before ours.
    pub compete_next: u32,
    /// Repeating a session's current Approved / Declined status answers 200 and changes
    /// nothing (Didit's newer page) instead of 400 with a bare list (its OpenAPI).
    pub same_status_ok: bool,
}

impl Faults {
    /// Takes one competing-reviewer race, if any is armed.
    pub fn take_compete(&mut self) -> bool {
        take(&mut self.compete_next)
    }
}

/// What the gate does to one request.
#[derive(Debug, Default)]
pub struct Fault {
    pub latency: Duration,
    pub reset: bool,
    pub fail_status: Option<u16>,
    pub throttle: Option<Duration>,
    pub lose_response: bool,
}

fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

impl Faults {
    fn roll_error(&mut self) -> bool {
        if self.error_rate_percent == 0 {
            return false;
        }
        self.rolls += 1;
        crate::seed::Rng::new(0x5eed, self.rolls).chance(u64::from(self.error_rate_percent))
    }

    pub fn take(&mut self, method: &Method) -> Fault {
        let mut fault = Fault {
            latency: Duration::from_millis(self.latency_ms),
            ..Fault::default()
        };
        if self.down || take(&mut self.reset_next) {
            fault.reset = true;
        } else if take(&mut self.fail_next) || self.roll_error() {
            fault.fail_status = Some(self.fail_status.unwrap_or(503));
        } else if take(&mut self.throttle_next) {
            fault.throttle = Some(Duration::from_secs(self.retry_after_secs.max(1)));
        } else if method != Method::GET && take(&mut self.lose_response_next) {
            fault.lose_response = true;
        }
        fault
    }
}

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
    let Some(i) = world.find(&body.session_id) else {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };
    console_decision(
        &mut world,
        i,
        &body.new_status,
        body.comment.as_deref(),
        &body.reviewer,
    );
    (
        StatusCode::OK,
        Json(json!({"session_id": body.session_id, "status": body.new_status})),
    )
        .into_response()
}

/// Another reviewer sets session `i` to `new_status` in the console.
pub fn console_decision(
    world: &mut World,
    i: usize,
    new_status: &str,
    comment: Option<&str>,
    reviewer: &str,
) {
    let previous = world.sessions[i].status.clone();
    world.sessions[i].status = new_status.to_owned();
    let activity = crate::didit::activity(&previous, new_status, comment, "CONSOLE_USER", reviewer);
    world.sessions[i].reviews.push(activity);
    let id = world.sessions[i].id.clone();
    world.record(
        "didit",
        "console-decision",
        &id,
        reviewer,
        json!({"previous_status": previous, "new_status": new_status, "comment": comment}),
    );
    crate::dhmad::follow_review(world, i);
}

/// Adds every `*.json` decision in `dir` as a session, served as is.
pub fn load_fixtures(world: &mut World, dir: &Path) -> Result<(), SandboxError> {
    let fail = |path: &Path, message: String| SandboxError::Fixture {
        path: path.display().to_string(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| fail(dir, e.to_string()))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read(&path).map_err(|e| fail(&path, e.to_string()))?;
        let body: Value = serde_json::from_slice(&text).map_err(|e| fail(&path, e.to_string()))?;
        let id = body["session_id"]
            .as_str()
            .ok_or_else(|| fail(&path, "no session_id".into()))?
            .to_owned();
        if world.find(&id).is_some() {
            return Err(fail(&path, format!("session {id} exists already")));
        }
        let number = body["session_number"]
            .as_i64()
            .unwrap_or(world.sessions.len() as i64 + 1000);
        let created_at = body["created_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
        world.sessions.push(Session {
            id,
            number,
            status: body["status"].as_str().unwrap_or("In Review").to_owned(),
            workflow: 0,
            person: 0,
            created_at,
            warnings: Vec::new(),
            redo: Default::default(),
            fixture: Some(body),
            reviews: Vec::new(),
            index: world.sessions.len() as u64,
            aml_reviews: Default::default(),
            aml_status: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_count_down_and_writes_alone_lose_answers() {
        let mut f = Faults {
            fail_next: 1,
            lose_response_next: 1,
            ..Faults::default()
        };
        assert_eq!(f.take(&Method::GET).fail_status, Some(503));
        assert!(
            !f.take(&Method::GET).lose_response,
            "reads never lose their answer"
        );
        assert!(f.take(&Method::PATCH).lose_response);
        let after = f.take(&Method::PATCH);
        assert!(after.fail_status.is_none() && !after.lose_response);
    }

    #[test]
    fn an_error_rate_fails_about_that_share_of_requests() {
        let mut f = Faults {
            error_rate_percent: 30,
            fail_status: Some(500),
            ..Faults::default()
        };
        let failed = (0..1000)
            .filter(|_| f.take(&Method::GET).fail_status == Some(500))
            .count();
        assert!((230..370).contains(&failed), "{failed}");
    }
}
