//! Every error the window gets: a code it branches on, a message, and whether to retry.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as the UI branches on it: one closed set, set in one place (here and in the
/// shell's setup errors), never a string the UI compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Another reviewer decided the case first.
    Conflict,
    /// The desk refuses the action (one decision per case, a read-only case, …).
    NotAllowed,
    /// The request is malformed: a bad id, an oversized comment, an unknown reason.
    Invalid,
    /// The local store failed.
    Store,
    Unauthorized,
    NotFound,
    /// The provider refused the request with its own message.
    Rejected,
    RateLimited,
    /// The provider cannot be reached.
    Unavailable,
    /// A write whose outcome is not known yet.
    OutcomeUnknown,
    /// The profile has no API key in the OS keyring.
    MissingKey,
    /// The OS keyring failed or is locked.
    Keyring,
    /// The profile could not be opened.
    Setup,
    /// DHMAD refuses the email's domain.
    Blocked,
    /// The person is already verified on DHMAD: nothing to do.
    AlreadyVerified,
    /// The API cannot do what was asked (e.g. search by external_user_id).
    Unsupported,
    /// The backend did not answer as expected.
    Internal,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        f.write_str(&text)
    }
}

/// Every error the UI sees: a stable code to branch on, a human message, and whether trying
/// again may help. Raw transport text never becomes the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code}: {message}")]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
    pub retryable: bool,
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            code,
            message: message.into(),
            retryable,
        }
    }
}

impl From<crate::watch::WatchError> for UiError {
    fn from(error: crate::watch::WatchError) -> Self {
        use crate::watch::WatchError;
        let (code, retryable) = match &error {
            WatchError::Store(crate::ports::StoreError::Unreachable(_)) => {
                (ErrorCode::Unavailable, true)
            }
            WatchError::Store(_) => (ErrorCode::Store, false),
            _ => (ErrorCode::Invalid, false),
        };
        UiError::new(code, error.to_string(), retryable)
    }
}

impl From<crate::desk::DeskError> for UiError {
    fn from(error: crate::desk::DeskError) -> Self {
        use crate::desk::DeskError;
        use crate::ports::SourceError;
        let message = error.to_string();
        let (code, retryable) = match &error {
            DeskError::Conflict(_) => (ErrorCode::Conflict, false),
            DeskError::NotAllowed(_) => (ErrorCode::NotAllowed, false),
            DeskError::Action(_) => (ErrorCode::Invalid, false),
            DeskError::Store(_) => (ErrorCode::Store, true),
            DeskError::Lookup(e) => {
                use crate::lookup::LookupError as L;
                match e {
                    L::Invalid(_) => (ErrorCode::Invalid, false),
                    L::Blocked(_) => (ErrorCode::Blocked, false),
                    L::NotFound(_) => (ErrorCode::NotFound, false),
                    L::AlreadyVerified(_) => (ErrorCode::AlreadyVerified, false),
                    L::RateLimited { .. } => (ErrorCode::RateLimited, true),
                    L::Unauthorized(_) => (ErrorCode::Unauthorized, false),
                    L::Unavailable(_) => (ErrorCode::Unavailable, true),
                    L::NotConfigured => (ErrorCode::MissingKey, false),
                    L::Unsupported(_) => (ErrorCode::Unsupported, false),
                }
            }
            DeskError::Source(e) => match e {
                SourceError::Unauthorized(_) => (ErrorCode::Unauthorized, false),
                SourceError::NotFound(_) => (ErrorCode::NotFound, false),
                SourceError::Rejected(_) => (ErrorCode::Rejected, false),
                SourceError::Invalid(_) => (ErrorCode::Invalid, false),
                SourceError::RateLimited(_) => (ErrorCode::RateLimited, true),
                SourceError::Unavailable(_) => (ErrorCode::Unavailable, true),
                SourceError::OutcomeUnknown(_) => (ErrorCode::OutcomeUnknown, true),
            },
        };
        UiError::new(code, message, retryable)
    }
}
