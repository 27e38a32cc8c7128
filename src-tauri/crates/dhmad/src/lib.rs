//! DHMAD v1 identity-verifications client (api-facts Part B). Support uses it to answer "is this
//! person verified, and is it linked to their DHMAD account?" and to resend an invite.

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

/// Which DHMAD environment a key belongs to, read from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyEnvironment {
    Live,
    Sandbox,
}

/// Recognises `sk_live_` / `sk_sandbox_` followed by 64 hex digits.
pub fn key_environment(key: &str) -> Option<KeyEnvironment> {
    let (env, rest) = if let Some(rest) = key.strip_prefix("sk_live_") {
        (KeyEnvironment::Live, rest)
    } else {
        (KeyEnvironment::Sandbox, key.strip_prefix("sk_sandbox_")?)
    };
    (rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit())).then_some(env)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DhmadError {
    #[error("DHMAD rejected the request: {message}")]
    BadRequest { message: String },
    #[error("DHMAD refused the API key: {message}")]
    Unauthorized { message: String },
    #[error("DHMAD does not allow this: {message}")]
    Forbidden { message: String },
    #[error("no such verification at DHMAD: {message}")]
    NotFound { message: String },
    #[error("this person already has verified KYC on DHMAD: {message}")]
    UserExists { message: String },
    #[error("DHMAD is rate limiting us; try again in {retry_after:?}")]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("DHMAD had a server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("DHMAD answered HTTP {status}: {message}")]
    UnexpectedStatus { status: u16, message: String },
    #[error("DHMAD did not answer in time")]
    Timeout,
    #[error("could not reach DHMAD: {0}")]
    Connection(String),
    #[error("DHMAD sent an answer we could not read: {0}")]
    Decode(String),
    #[error("{0}")]
    InvalidInput(String),
}

/// One identity verification (api-facts B2). Unknown enum values are kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Verification {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub external_user_id: Option<String>,
    pub kyc_status: String,
    #[serde(default)]
    pub didit_session_status: Option<String>,
    #[serde(default)]
    pub needs_admin_review: bool,
    #[serde(default)]
    pub claim_status: Option<String>,
    #[serde(default)]
    pub linked_user_id: Option<String>,
    #[serde(default)]
    pub linked_at: Option<String>,
    #[serde(default)]
    pub verification_email_sent: bool,
    #[serde(default)]
    pub verification_email_sent_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Only on create answers.
    #[serde(default)]
    pub message: Option<String>,
}

impl Verification {
    pub fn is_linked(&self) -> bool {
        self.claim_status.as_deref() == Some("linked") && self.linked_user_id.is_some()
    }
}

/// What a create call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invite {
    /// A new record (HTTP 201).
    Created(Verification),
    /// The pending record that existed already (HTTP 200).
    Existing(Verification),
}

#[derive(Clone)]
pub struct DhmadConfig {
    /// Up to and including `/api/v1`, e.g. https://dhmad.tn/api/v1.
    pub base_url: Url,
    pub api_key: SecretString,
    pub timeout: Duration,
}

impl std::fmt::Debug for DhmadConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DhmadConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl DhmadConfig {
    pub fn new(base_url: &str, api_key: SecretString) -> Result<Self, DhmadError> {
        let base_url = api_http::base_url(base_url).ok_or_else(|| {
            DhmadError::InvalidInput(format!(
                "{base_url:?} is not an http(s) URL such as https://dhmad.tn/api/v1"
            ))
        })?;
        if key_environment(api_key.expose_secret()).is_none() {
            return Err(DhmadError::InvalidInput(
                "a DHMAD key is sk_live_ or sk_sandbox_ followed by 64 hex digits".into(),
            ));
        }
        Ok(Self {
            base_url,
            api_key,
            timeout: Duration::from_secs(15),
        })
    }

    pub fn environment(&self) -> Option<KeyEnvironment> {
        key_environment(self.api_key.expose_secret())
    }
}

pub struct DhmadClient {
    http: reqwest::Client,
    config: DhmadConfig,
}

fn error_from(status: u16, body: &[u8], retry_after: Option<Duration>) -> DhmadError {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = value["message"]
        .as_str()
        .map(|m| m.chars().take(500).collect())
        .unwrap_or_else(|| format!("HTTP {status} without a readable message"));
    let retry_after = retry_after.or_else(|| value["retryAfter"].as_u64().map(Duration::from_secs));
    match status {
        400 => DhmadError::BadRequest { message },
        401 => DhmadError::Unauthorized { message },
        403 => DhmadError::Forbidden { message },
        404 => DhmadError::NotFound { message },
        409 => DhmadError::UserExists { message },
        429 => DhmadError::RateLimited {
            retry_after,
            message,
        },
        500..=599 => DhmadError::Server { status, message },
        _ => DhmadError::UnexpectedStatus { status, message },
    }
}

impl DhmadClient {
    pub fn new(config: DhmadConfig) -> Result<Self, DhmadError> {
        let http = api_http::client(Duration::from_secs(5), config.timeout).map_err(transport)?;
        Ok(Self { http, config })
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
    ) -> Result<(u16, Vec<u8>), DhmadError> {
        let auth = format!("Bearer {}", self.config.api_key.expose_secret());
        let answer = api_http::send(
            &self.http,
            method,
            url.clone(),
            ("authorization", &auth),
            body.map(|b| b.to_string()),
        )
        .await
        .map_err(transport)?;
        let (status, bytes, retry_after) = (answer.status, answer.body, answer.retry_after);
        tracing::debug!(path = url.path(), status, "dhmad call");
        if (200..300).contains(&status) {
            Ok((status, bytes))
        } else {
            Err(error_from(status, &bytes, retry_after))
        }
    }

    fn url(&self, path: &str) -> Result<Url, DhmadError> {
        self.config
            .base_url
            .join(path)
            .map_err(|e| DhmadError::InvalidInput(e.to_string()))
    }

    /// One verification by its DHMAD id (24 hex digits).
    pub async fn get(&self, id: &str) -> Result<Verification, DhmadError> {
        if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DhmadError::InvalidInput(format!(
                "{:?} is not a DHMAD verification id (24 hex digits)",
                id.chars().take(40).collect::<String>()
            )));
        }
        let (_, bytes) = self
            .call(
                Method::GET,
                self.url(&format!("identity-verifications/{id}"))?,
                None,
            )
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| DhmadError::Decode(e.to_string()))
    }

    /// Every verification of an email address, newest first (at most 20).
    pub async fn find_by_email(&self, email: &str) -> Result<Vec<Verification>, DhmadError> {
        let email = email.trim();
        desk_core::model::request::validate_email(email)
            .map_err(|e| DhmadError::InvalidInput(e.to_string()))?;
        let mut url = self.url("identity-verifications")?;
        url.query_pairs_mut()
            .append_pair("email", &email.to_lowercase());
        let (_, bytes) = self.call(Method::GET, url, None).await?;
        #[derive(Deserialize)]
        struct List {
            verifications: Vec<Verification>,
        }
        serde_json::from_slice::<List>(&bytes)
            .map(|l| l.verifications)
            .map_err(|e| DhmadError::Decode(e.to_string()))
    }

    /// Creates a verification and sends the invite, or returns the pending one. Never retried.
    pub async fn invite(
        &self,
        email: &str,
        external_user_id: Option<&str>,
    ) -> Result<Invite, DhmadError> {
        let email = email.trim();
        desk_core::model::request::validate_email(email)
            .map_err(|e| DhmadError::InvalidInput(e.to_string()))?;
        let mut body = json!({ "email": email });
        if let Some(external) = external_user_id {
            body["external_user_id"] = json!(external);
        }
        let (status, bytes) = self
            .call(
                Method::POST,
                self.url("identity-verifications")?,
                Some(body),
            )
            .await?;
        let record: Verification =
            serde_json::from_slice(&bytes).map_err(|e| DhmadError::Decode(e.to_string()))?;
        Ok(if status == 201 {
            Invite::Created(record)
        } else {
            Invite::Existing(record)
        })
    }
}

fn transport(failure: api_http::Transport) -> DhmadError {
    match failure {
        api_http::Transport::Timeout => DhmadError::Timeout,
        api_http::Transport::Connection(why) => DhmadError::Connection(why.into()),
        api_http::Transport::BadKey => {
            DhmadError::InvalidInput("the DHMAD key has invalid characters".into())
        }
    }
}

impl From<DhmadError> for desk_core::lookup::LookupError {
    fn from(e: DhmadError) -> Self {
        use desk_core::lookup::LookupError as L;
        match e {
            DhmadError::BadRequest { message } | DhmadError::InvalidInput(message) => {
                L::Invalid(message)
            }
            DhmadError::Forbidden { message } => L::Blocked(message),
            DhmadError::NotFound { message } => L::NotFound(message),
            DhmadError::UserExists { message } => L::AlreadyVerified(message),
            DhmadError::RateLimited {
                retry_after,
                message,
            } => L::RateLimited {
                retry_after,
                message,
            },
            DhmadError::Unauthorized { message } => L::Unauthorized(message),
            other => L::Unavailable(other.to_string()),
        }
    }
}

impl From<Verification> for desk_core::lookup::Verification {
    fn from(v: Verification) -> Self {
        Self {
            id: v.id,
            email: v.email,
            external_user_id: v.external_user_id,
            kyc_status: v.kyc_status,
            didit_session_status: v.didit_session_status,
            needs_admin_review: v.needs_admin_review,
            claim_status: v.claim_status,
            linked_user_id: v.linked_user_id,
            linked_at: v.linked_at,
            verification_email_sent: v.verification_email_sent,
            verification_email_sent_at: v.verification_email_sent_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
            expires_at: v.expires_at,
        }
    }
}

impl desk_core::lookup::Directory for DhmadClient {
    async fn by_email(
        &self,
        email: &str,
    ) -> Result<Vec<desk_core::lookup::Verification>, desk_core::lookup::LookupError> {
        Ok(self
            .find_by_email(email)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn by_id(
        &self,
        id: &str,
    ) -> Result<desk_core::lookup::Verification, desk_core::lookup::LookupError> {
        Ok(self.get(id).await?.into())
    }

    async fn invite(&self, email: &str) -> Result<String, desk_core::lookup::LookupError> {
        let (Invite::Created(record) | Invite::Existing(record)) =
            DhmadClient::invite(self, email, None).await?;
        Ok(record
            .message
            .unwrap_or_else(|| "DHMAD answered without a message".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_prefixes_are_recognised() {
        let hex = "0123456789abcdef".repeat(4);
        assert_eq!(
            key_environment(&format!("sk_live_{hex}")),
            Some(KeyEnvironment::Live)
        );
        assert_eq!(
            key_environment(&format!("sk_sandbox_{hex}")),
            Some(KeyEnvironment::Sandbox)
        );
        assert_eq!(key_environment(&format!("sk_test_{hex}")), None);
        assert_eq!(key_environment("sk_live_abc"), None);
    }

    #[test]
    fn error_bodies_become_typed_errors() {
        let e = error_from(
            409,
            br#"{"error":"Conflict","message":"Already verified.","user_exists":true}"#,
            None,
        );
        assert_eq!(
            e,
            DhmadError::UserExists {
                message: "Already verified.".into()
            }
        );
        let e = error_from(
            429,
            br#"{"error":"Too Many Requests","message":"Slow down","retryAfter":3600}"#,
            None,
        );
        assert_eq!(
            e,
            DhmadError::RateLimited {
                retry_after: Some(Duration::from_secs(3600)),
                message: "Slow down".into()
            }
        );
        let e = error_from(502, b"<html>bad gateway</html>", None);
        assert_eq!(
            e,
            DhmadError::Server {
                status: 502,
                message: "HTTP 502 without a readable message".into()
            }
        );
    }
}
