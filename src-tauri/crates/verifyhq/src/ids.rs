//! How the desk names VerifyHQ's cases (`verifyhq:` and the verification id) and what VerifyHQ
//! can do behind the desk: the one place that knows both.

use desk_core::provider::Capabilities;

/// The prefix of a VerifyHQ case id (`verifyhq:ver_abc123`).
pub const PREFIX: &str = "verifyhq:";

/// What VerifyHQ offers beyond a decision: no blocklist, no AML hits, no single steps to redo
/// (a restart starts a new verification, and takes no notes), notes required on a review.
pub const CAPABILITIES: Capabilities = Capabilities {
    blocklist: false,
    aml_hits: false,
    redo_steps: false,
    resubmit_starts_anew: true,
    resubmit_keeps_token: false,
    notes_required: true,
    notify_email: false,
    step_details: false,
};

/// The desk's case id of a VerifyHQ verification.
pub fn case_id(verification_id: &str) -> String {
    format!("{PREFIX}{verification_id}")
}

/// The VerifyHQ verification id inside a desk case id, if it is one.
pub fn verification_id(case_id: &str) -> Option<&str> {
    case_id.strip_prefix(PREFIX)
}

/// Whether a desk case id names a VerifyHQ verification.
pub fn is_verifyhq_case(case_id: &str) -> bool {
    verification_id(case_id).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_names_the_verification() {
        let didit = "0b7c2b4e-3f0a-4d6e-9a51-2f3c4d5e6f70";
        let vhq = case_id("ver_abc123");
        assert!(is_verifyhq_case(&vhq) && !is_verifyhq_case(didit));
        assert_eq!(verification_id(&vhq), Some("ver_abc123"));
        assert_eq!(verification_id(didit), None);
        assert!(desk_core::model::request::validate_case_id(&vhq).is_ok());
    }
}
