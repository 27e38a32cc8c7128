//! What DHMAD's identity-verification directory answers when it cannot give a record, in the
//! words support acts on.

use std::time::Duration as StdDuration;

/// What DHMAD answered, in the words support acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// 400: a malformed email or id.
    #[error("{0}")]
    Invalid(String),
    /// 403: the email's domain is blocked.
    #[error("DHMAD does not accept this email's domain: {0}")]
    Blocked(String),
    /// 404: no such record, or not this key's.
    #[error("DHMAD has no such verification for this API key: {0}")]
    NotFound(String),
    /// 409: the person already has verified KYC on DHMAD.
    #[error("nothing to do: this person already has verified KYC on DHMAD ({0})")]
    AlreadyVerified(String),
    /// 429.
    #[error("DHMAD is rate limiting this key{}", retry_text(.retry_after))]
    RateLimited {
        retry_after: Option<StdDuration>,
        message: String,
    },
    /// 401 / 403 on the key.
    #[error("DHMAD refused the API key: {0}")]
    Unauthorized(String),
    /// Unreachable, timed out, 5xx, unreadable.
    #[error("DHMAD cannot answer now: {0}")]
    Unavailable(String),
    /// The profile has no DHMAD key.
    #[error("this profile has no DHMAD API key: add one under Profiles to look people up")]
    NotConfigured,
    /// Asked for something the API cannot do.
    #[error("{0}")]
    Unsupported(&'static str),
}

fn retry_text(after: &Option<StdDuration>) -> String {
    match after {
        Some(d) if d.as_secs() >= 120 => format!("; try again in {} min", d.as_secs().div_ceil(60)),
        Some(d) => format!("; try again in {} s", d.as_secs().max(1)),
        None => "; try again later".into(),
    }
}
