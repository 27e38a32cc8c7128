//! VerifyHQ identity-verifications client, written from seed 004 (the only public description
//! of the API): a verification by id, a user's verifications page by page (limit ≤ 100), a new
//! verification, a manual review (decision, reviewer and notes all required) and a restart.
//! Auth is the `X-API-Key` header. Reads are retried with backoff and jitter (and after
//! `Retry-After` on 429); a review or a restart is sent exactly once: neither is idempotent, so
//! the caller finds out what happened before trying again. Unknown enum values are kept as text.

use std::collections::BTreeMap;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, RateLimiter};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

pub mod ids;
mod source;
pub use source::VerifyHqSource;

/// The most verifications one page may ask for (the seed's maximum).
pub const MAX_PAGE: u32 = 100;
/// The longest reviewer identity or notes the client sends.
pub const MAX_NOTES_CHARS: usize = 5_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyHqError {
    #[error("VerifyHQ rejected the request: {message}")]
    BadRequest { message: String },
    #[error("VerifyHQ refused the API key: {message}")]
    Unauthorized { message: String },
    #[error("the API key may not do this at VerifyHQ: {message}")]
    Forbidden { message: String },
    #[error("not found at VerifyHQ: {message}")]
    NotFound { message: String },
    /// The verification is not in a state that allows this (e.g. a review of a decided one).
    #[error("VerifyHQ refused it in the verification's current state: {message}")]
    Conflict { message: String },
    #[error("VerifyHQ is rate limiting us; try again in {retry_after:?}")]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("VerifyHQ had a server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("VerifyHQ answered HTTP {status}: {message}")]
    UnexpectedStatus { status: u16, message: String },
    #[error("VerifyHQ did not answer in time")]
    Timeout,
    #[error("could not reach VerifyHQ: {0}")]
    Connection(String),
    #[error("VerifyHQ sent a {what} we could not read: {message}")]
    Decode { what: &'static str, message: String },
    #[error("{0}")]
    InvalidInput(String),
}

impl api_http::Failure for VerifyHqError {
    fn is_transient(&self) -> bool {
        VerifyHqError::is_transient(self)
    }
    fn wait_asked(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl VerifyHqError {
    /// Worth retrying a read: the request may succeed unchanged later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Timeout | Self::Connection(_)
        )
    }

    /// For a review or a restart, true when it may have been applied though we got an error:
    /// the caller must read the verification before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Self::Server { .. } | Self::Timeout | Self::Connection(_)
        )
    }

    fn from_answer(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        // `message` is a string, or (as validation layers often answer) a list of strings.
        let message = match &value["message"] {
            Value::String(m) => m.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; "),
            _ => value["error"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("HTTP {status} without a readable message")),
        };
        let message: String = message.chars().take(500).collect();
        match status {
            400 | 422 => Self::BadRequest { message },
            401 => Self::Unauthorized { message },
            403 => Self::Forbidden { message },
            404 => Self::NotFound { message },
            409 => Self::Conflict { message },
            429 => Self::RateLimited {
                retry_after,
                message,
            },
            500..=599 => Self::Server { status, message },
            _ => Self::UnexpectedStatus { status, message },
        }
    }
}

fn transport(failure: api_http::Transport) -> VerifyHqError {
    match failure {
        api_http::Transport::Timeout => VerifyHqError::Timeout,
        api_http::Transport::Connection(why) => VerifyHqError::Connection(why.into()),
        api_http::Transport::BadKey => {
            VerifyHqError::InvalidInput("the VerifyHQ key has invalid characters".into())
        }
    }
}

/// One identity verification as VerifyHQ returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub id: String,
    pub user_id: String,
    /// BASIC, STANDARD or ENHANCED.
    #[serde(default)]
    pub tier: Option<String>,
    /// PENDING, IN_PROGRESS, MANUAL_REVIEW, VERIFIED, REJECTED or EXPIRED.
    pub status: String,
    /// Step name (document, liveness, sanctions) to its state.
    #[serde(default)]
    pub steps: BTreeMap<String, String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub review_notes: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<String>,
    /// The verification a restart started in this one's place, where the answer names it.
    #[serde(default)]
    pub invalidated_by: Option<String>,
}

impl Verification {
    /// Waits for a person's decision.
    pub fn in_manual_review(&self) -> bool {
        self.status == "MANUAL_REVIEW"
    }
}

/// One page of a user's verifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationPage {
    pub items: Vec<Verification>,
    pub page: u32,
    /// When the answer says how many there are.
    pub total: Option<u64>,
}

/// The seed shows no example of a list answer: a bare array and an object holding the list
/// (`data`, `items` or `verifications`) are both read.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListAnswer {
    Bare(Vec<Verification>),
    Wrapped {
        #[serde(alias = "items", alias = "verifications")]
        data: Vec<Verification>,
        #[serde(default)]
        total: Option<u64>,
    },
}

/// A manual review's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    Verified,
    Rejected,
}

/// A verification's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Tier {
    Basic,
    Standard,
    Enhanced,
}

/// VerifyHQ's endpoint and the requests per minute the client allows itself (the seed names
/// no limit); the base URL, key, timeouts and read retries are the shared [`api_http::Endpoint`].
#[derive(Clone, Debug)]
pub struct VerifyHqConfig {
    pub endpoint: api_http::Endpoint,
    pub per_minute: u32,
}

impl VerifyHqConfig {
    /// `base_url` up to and including `/v1`, e.g. https://api.verifyhq.com/v1.
    pub fn new(base_url: &str, api_key: SecretString) -> Result<Self, VerifyHqError> {
        let endpoint = api_http::Endpoint::new(base_url, api_key).map_err(|e| {
            VerifyHqError::InvalidInput(match e {
                api_http::EndpointError::BadUrl => format!(
                    "{base_url:?} is not an http(s) URL such as https://api.verifyhq.com/v1"
                ),
                api_http::EndpointError::EmptyKey => "the VerifyHQ API key is empty".into(),
            })
        })?;
        Ok(Self {
            endpoint,
            per_minute: 100,
        })
    }
}

pub struct VerifyHqClient {
    http: reqwest::Client,
    config: VerifyHqConfig,
    limiter: DefaultDirectRateLimiter,
    /// The requests of the last minute, for the budget the desk shows.
    sent: api_http::SentWindow,
}

fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, VerifyHqError> {
    serde_json::from_slice(bytes).map_err(|e| VerifyHqError::Decode {
        what,
        message: e.to_string(),
    })
}

/// A path segment from an id: ids are opaque to us, but never carry a path.
fn segment(what: &str, id: &str) -> Result<String, VerifyHqError> {
    let ok = !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':'));
    if ok {
        Ok(id.to_owned())
    } else {
        Err(VerifyHqError::InvalidInput(format!(
            "{what} {id:?} is not a VerifyHQ id (letters, digits and _ - . @ : only)"
        )))
    }
}

fn required(name: &str, text: &str) -> Result<String, VerifyHqError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(VerifyHqError::InvalidInput(format!("{name} is required")));
    }
    if text.chars().count() > MAX_NOTES_CHARS {
        return Err(VerifyHqError::InvalidInput(format!(
            "{name} is longer than {MAX_NOTES_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

impl VerifyHqClient {
    pub fn new(config: VerifyHqConfig) -> Result<Self, VerifyHqError> {
        let http = api_http::client(
            config.endpoint.connect_timeout,
            config.endpoint.request_timeout,
        )
        .map_err(transport)?;
        let quota = api_http::quota(config.per_minute.max(1), Duration::from_secs(60));
        Ok(Self {
            http,
            limiter: RateLimiter::direct(quota),
            sent: api_http::SentWindow::new(Duration::from_secs(60)),
            config,
        })
    }

    /// Requests left of the client's own quota in the last minute, and the quota (VerifyHQ
    /// counts reads and writes together).
    pub fn budget(&self) -> (u32, u32) {
        let limit = self.config.per_minute.max(1);
        (self.sent.left(limit), limit)
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, VerifyHqError> {
        let mut url = self
            .config
            .endpoint
            .base_url
            .join(path)
            .map_err(|e| VerifyHqError::InvalidInput(e.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    async fn send_once(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), VerifyHqError> {
        self.limiter.until_ready().await;
        self.sent.note();
        let answer = api_http::send(
            &self.http,
            method.clone(),
            url.clone(),
            ("x-api-key", self.config.endpoint.api_key.expose_secret()),
            body.map(Value::to_string),
        )
        .await
        .map_err(transport)?;
        tracing::debug!(%method, path = url.path(), status = answer.status, "verifyhq call");
        if answer.is_success() {
            Ok((answer.status, answer.body))
        } else {
            Err(VerifyHqError::from_answer(
                answer.status,
                &answer.body,
                answer.retry_after,
            ))
        }
    }

    async fn read<T: DeserializeOwned>(
        &self,
        what: &'static str,
        url: Url,
    ) -> Result<T, VerifyHqError> {
        let (_, bytes) = api_http::retry_read(
            "verifyhq",
            self.config.endpoint.read_retries,
            self.config.endpoint.max_retry_after,
            || self.send_once(Method::GET, &url, None),
        )
        .await?;
        decode(what, &bytes)
    }

    /// `GET /verifications/identity/:id`.
    pub async fn get(&self, id: &str) -> Result<Verification, VerifyHqError> {
        let id = segment("verification id", id)?;
        let url = self.url(&format!("verifications/identity/{id}"), &[])?;
        self.read("verification", url).await
    }

    /// `GET /verifications/identity/user/:userId?page&limit`: page 1 is the newest.
    pub async fn user_page(
        &self,
        user_id: &str,
        page: u32,
        limit: u32,
    ) -> Result<VerificationPage, VerifyHqError> {
        let user = segment("user id", user_id)?;
        if page == 0 || limit == 0 || limit > MAX_PAGE {
            return Err(VerifyHqError::InvalidInput(format!(
                "pages start at 1 and hold 1 to {MAX_PAGE} verifications"
            )));
        }
        let url = self.url(
            &format!("verifications/identity/user/{user}"),
            &[("page", page.to_string()), ("limit", limit.to_string())],
        )?;
        let (items, total) = match self.read("list of verifications", url).await? {
            ListAnswer::Bare(items) => (items, None),
            ListAnswer::Wrapped { data, total } => (data, total),
        };
        Ok(VerificationPage { items, page, total })
    }

    /// Every verification of `user_id`, newest first, page by page (stops at `max` pages).
    pub async fn user_verifications(
        &self,
        user_id: &str,
        max_pages: u32,
    ) -> Result<Vec<Verification>, VerifyHqError> {
        let mut all = Vec::new();
        for page in 1..=max_pages.max(1) {
            let got = self.user_page(user_id, page, MAX_PAGE).await?;
            let full = got.items.len() as u32 == MAX_PAGE;
            all.extend(got.items);
            if !full || got.total.is_some_and(|t| all.len() as u64 >= t) {
                break;
            }
        }
        Ok(all)
    }

    /// `POST /verifications/identity`: a new verification, or the user's active one again
    /// (`true` when it is new). Sent once.
    pub async fn start(
        &self,
        user_id: &str,
        tier: Tier,
    ) -> Result<(Verification, bool), VerifyHqError> {
        let user = required("userId", user_id)?;
        let url = self.url("verifications/identity", &[])?;
        let (status, bytes) = self
            .send_once(
                Method::POST,
                &url,
                Some(&json!({"userId": user, "tier": tier})),
            )
            .await?;
        Ok((decode("verification", &bytes)?, status == 201))
    }

    /// `POST /verifications/identity/:id/review`: all three fields required. Sent once.
    pub async fn review(
        &self,
        id: &str,
        decision: Decision,
        reviewed_by: &str,
        review_notes: &str,
    ) -> Result<Verification, VerifyHqError> {
        let id = segment("verification id", id)?;
        let body = json!({
            "decision": decision,
            "reviewedBy": required("reviewedBy", reviewed_by)?,
            "reviewNotes": required("reviewNotes", review_notes)?,
        });
        let url = self.url(&format!("verifications/identity/{id}/review"), &[])?;
        let (_, bytes) = self.send_once(Method::POST, &url, Some(&body)).await?;
        decode("verification", &bytes)
    }

    /// `POST /verifications/identity/:id/restart`: the verification is invalidated and a new
    /// one starts; returns the new one. Sent once.
    pub async fn restart(&self, id: &str) -> Result<Verification, VerifyHqError> {
        let id = segment("verification id", id)?;
        let url = self.url(&format!("verifications/identity/{id}/restart"), &[])?;
        let (_, bytes) = self.send_once(Method::POST, &url, None).await?;
        decode("verification", &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_apis_message_in_either_shape() {
        let e = VerifyHqError::from_answer(
            400,
            br#"{"statusCode":400,"message":["reviewNotes should not be empty","decision must be VERIFIED or REJECTED"],"error":"Bad Request"}"#,
            None,
        );
        assert_eq!(
            e,
            VerifyHqError::BadRequest {
                message: "reviewNotes should not be empty; decision must be VERIFIED or REJECTED"
                    .into()
            }
        );
        let e = VerifyHqError::from_answer(409, br#"{"message":"already VERIFIED"}"#, None);
        assert!(matches!(e, VerifyHqError::Conflict { .. }) && !e.is_transient());
        let e = VerifyHqError::from_answer(503, b"<html>down</html>", None);
        assert!(e.is_transient() && e.outcome_unknown());
        let e = VerifyHqError::from_answer(429, b"{}", Some(Duration::from_secs(3)));
        assert_eq!(
            e,
            VerifyHqError::RateLimited {
                retry_after: Some(Duration::from_secs(3)),
                message: "HTTP 429 without a readable message".into()
            }
        );
    }

    #[test]
    fn lists_are_read_bare_or_wrapped_and_unknown_values_kept() {
        let bare: ListAnswer = serde_json::from_str(
            r#"[{"id":"ver_1","userId":"u","status":"ON_HOLD","steps":{"document":"VERIFIED"}}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(bare, ListAnswer::Bare(ref v) if v[0].status == "ON_HOLD"));
        let wrapped: ListAnswer =
            serde_json::from_str(r#"{"items":[],"total":0}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            wrapped,
            ListAnswer::Wrapped { total: Some(0), .. }
        ));
    }

    #[test]
    fn ids_cannot_carry_a_path_and_notes_are_required() {
        assert!(segment("id", "ver_abc123").is_ok());
        for bad in ["", "../admin", "a/b", "ver 1", "ver?x=1"] {
            assert!(segment("id", bad).is_err(), "{bad}");
        }
        assert!(required("reviewNotes", "  ").is_err());
        assert!(required("reviewNotes", &"x".repeat(MAX_NOTES_CHARS + 1)).is_err());
        assert_eq!(required("reviewedBy", " Amira ").ok(), Some("Amira".into()));
    }
}
