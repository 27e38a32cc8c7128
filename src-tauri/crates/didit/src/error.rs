//! Didit errors: every documented body shape (`{"detail": ..}`, per-field maps, bare lists)
//! becomes a typed error that carries the API's own message.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiditError {
    #[error("Didit refused the API key: {message}")]
    Unauthorized { message: String },
    #[error("the API key may not do this: {message}")]
    Forbidden { message: String },
    #[error("not found at Didit: {message}")]
    NotFound { message: String },
    #[error("Didit rejected the request: {message}")]
    Rejected {
        message: String,
        /// Per-field messages, when Didit named fields.
        fields: Vec<(String, String)>,
    },
    #[error("Didit is rate limiting us; try again in {retry_after:?}")]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("Didit had a server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("Didit answered HTTP {status}: {message}")]
    UnexpectedStatus { status: u16, message: String },
    #[error("Didit did not answer in time")]
    Timeout,
    #[error("could not reach Didit: {0}")]
    Connection(String),
    #[error("Didit sent a {what} we could not read: {message}")]
    Decode { what: &'static str, message: String },
    #[error("{0}")]
    InvalidInput(String),
}

impl api_http::Failure for DiditError {
    fn is_transient(&self) -> bool {
        DiditError::is_transient(self)
    }
    fn wait_asked(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl DiditError {
    /// Worth retrying a read: the request may succeed unchanged later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Timeout | Self::Connection(_)
        )
    }

    /// For a write, true when the request may have been applied even though we got an error:
    /// the caller must find out before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Self::Server { .. } | Self::Timeout | Self::Connection(_)
        )
    }

    pub(crate) fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let (message, fields) = body_message(status, body);
        match status {
            401 => Self::Unauthorized { message },
            403 => Self::Forbidden { message },
            404 => Self::NotFound { message },
            400 | 409 | 422 => Self::Rejected { message, fields },
            429 => Self::RateLimited {
                retry_after,
                message,
            },
            500..=599 => Self::Server { status, message },
            _ => Self::UnexpectedStatus { status, message },
        }
    }
}

const MAX_MESSAGE_CHARS: usize = 500;

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}…")
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Number(n) => Some(n.to_string()),
        // Nested field errors inside a list, e.g. {"nodes_to_resubmit":[{"feature":[…]}]}.
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .filter_map(|(k, v)| text_of(v).map(|t| format!("{k}: {t}")))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// The API's message and any per-field messages; a generic sentence when the body is not one
/// of the documented shapes (an HTML error page, say), so raw transport text never leaks.
fn body_message(status: u16, body: &[u8]) -> (String, Vec<(String, String)>) {
    let generic = || format!("HTTP {status} without a readable message");
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            if let Some(detail) = map.get("detail").and_then(text_of) {
                return (shorten(&detail), Vec::new());
            }
            let fields: Vec<(String, String)> = map
                .iter()
                .filter_map(|(k, v)| text_of(v).map(|t| (k.clone(), shorten(&t))))
                .collect();
            if fields.is_empty() {
                return (generic(), fields);
            }
            let message = fields
                .iter()
                .map(|(k, v)| {
                    if k == "non_field_errors" {
                        v.clone()
                    } else {
                        format!("{k}: {v}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" | ");
            (shorten(&message), fields)
        }
        Ok(list @ Value::Array(_)) => (
            text_of(&list).map_or_else(generic, |t| shorten(&t)),
            Vec::new(),
        ),
        Ok(Value::String(s)) => (shorten(&s), Vec::new()),
        _ => (generic(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_bodies_carry_their_text() {
        let e = DiditError::from_response(404, br#"{"detail": "Not found."}"#, None);
        assert_eq!(
            e,
            DiditError::NotFound {
                message: "Not found.".into()
            }
        );
    }

    #[test]
    fn field_maps_name_their_fields() {
        let e = DiditError::from_response(
            400,
            br#"{"new_status": ["\"Pending\" is not a valid choice."], "non_field_errors": ["Bad."]}"#,
            None,
        );
        let DiditError::Rejected { message, fields } = e else {
            panic!("{e:?}")
        };
        assert!(message.contains("new_status: \"Pending\" is not a valid choice."));
        assert!(message.contains("Bad."));
        assert_eq!(fields.len(), 2);
    }

    #[test]
    fn nested_field_errors_keep_their_text() {
        let e = DiditError::from_response(
            400,
            br#"{"nodes_to_resubmit":[{"feature":["\"BOGUS\" is not a valid choice."]}]}"#,
            None,
        );
        assert_eq!(
            e.to_string(),
            "Didit rejected the request: nodes_to_resubmit: feature: \"BOGUS\" is not a valid choice."
        );
    }

    #[test]
    fn bare_lists_are_joined() {
        let e =
            DiditError::from_response(400, br#"["Nothing to resubmit for this session."]"#, None);
        assert_eq!(
            e.to_string(),
            "Didit rejected the request: Nothing to resubmit for this session."
        );
    }

    #[test]
    fn html_pages_never_become_the_message() {
        let e = DiditError::from_response(
            502,
            b"<html><body>nginx upstream 10.0.0.3</body></html>",
            None,
        );
        assert_eq!(
            e,
            DiditError::Server {
                status: 502,
                message: "HTTP 502 without a readable message".into()
            }
        );
    }
}
