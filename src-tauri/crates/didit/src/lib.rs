//! Didit v3 wire client. Reads the API's JSON into desk-core's media-free case types; media
//! fields never get past `wire`, and presigned links in kept fields are dropped in `convert`.

mod client;
mod convert;
mod error;
mod limits;
mod source;
mod wire;

pub use client::{DiditClient, DiditConfig, Page, SessionQuery, UserSummary, PRODUCTION_URL};
pub use error::DiditError;
pub use limits::{RateLimits, Scope};

/// What Didit offers beyond a decision: its blocklist, AML hit reviews, single steps to redo
/// (its comment kept with a resubmission), a notification e-mail, each check's details.
pub const CAPABILITIES: desk_core::provider::Capabilities = desk_core::provider::Capabilities {
    blocklist: true,
    aml_hits: true,
    redo_steps: true,
    resubmit_starts_anew: false,
    resubmit_keeps_token: true,
    notes_required: false,
    notify_email: true,
    step_details: true,
};

/// Parses a decision body into a case summary (used by the client, fixtures and benchmarks).
pub fn parse_decision(bytes: &[u8]) -> Result<desk_core::model::case::CaseSummary, DiditError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let decision: wire::Decision =
        serde_path_to_error::deserialize(&mut de).map_err(|e| DiditError::Decode {
            what: "decision",
            message: e.to_string(),
        })?;
    convert::case_summary(decision)
}
