//! Which verification provider a case belongs to, read from its id: Didit sessions are bare
//! UUIDs, VerifyHQ verifications carry the `verifyhq:` prefix. What each provider can do
//! (blocklist, AML hits, steps to redo) is said here once, so the UI shows what a provider lacks
//! as absent instead of failing on it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The prefix of a VerifyHQ case id (`verifyhq:ver_abc123`).
pub const VERIFYHQ_PREFIX: &str = "verifyhq:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Provider {
    Didit,
    VerifyHq,
}

/// What a provider offers beyond status decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub blocklist: bool,
    pub aml_hits: bool,
    /// Steps to redo can be named in a resubmission (else a resubmission starts over).
    pub redo_steps: bool,
    /// A resubmission keeps the case (Didit) or starts a new verification (VerifyHQ restart).
    pub resubmit_starts_anew: bool,
    /// The provider stores the desk's stamped comment with a resubmission, so a lost answer
    /// is recognised by its token (VerifyHQ's restart takes no notes).
    pub resubmit_keeps_token: bool,
    /// A decision needs a reason or comment (VerifyHQ's reviewNotes is required).
    pub notes_required: bool,
    /// The provider can e-mail the person about the decision.
    pub notify_email: bool,
    /// Each check comes with its details (scores, warnings, document fields), not only its state.
    pub step_details: bool,
}

impl Provider {
    pub fn of(case_id: &str) -> Self {
        if case_id.starts_with(VERIFYHQ_PREFIX) {
            Self::VerifyHq
        } else {
            Self::Didit
        }
    }

    /// Why this provider cannot be asked to redo single steps (None when it can).
    pub fn redo_refusal(self) -> Option<String> {
        (!self.capabilities().redo_steps).then(|| {
            format!(
                "{} cannot be asked to redo single steps: a resubmission starts a new verification",
                self.name()
            )
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Didit => "Didit",
            Self::VerifyHq => "VerifyHQ",
        }
    }

    pub fn capabilities(self) -> Capabilities {
        match self {
            Self::Didit => Capabilities {
                blocklist: true,
                aml_hits: true,
                redo_steps: true,
                resubmit_starts_anew: false,
                resubmit_keeps_token: true,
                notes_required: false,
                notify_email: true,
                step_details: true,
            },
            Self::VerifyHq => Capabilities {
                blocklist: false,
                aml_hits: false,
                redo_steps: false,
                resubmit_starts_anew: true,
                resubmit_keeps_token: false,
                notes_required: true,
                notify_email: false,
                step_details: false,
            },
        }
    }
}

/// The desk's case id of a VerifyHQ verification.
pub fn verifyhq_case_id(verification_id: &str) -> String {
    format!("{VERIFYHQ_PREFIX}{verification_id}")
}

/// The VerifyHQ verification id inside a desk case id, if it is one.
pub fn verifyhq_id(case_id: &str) -> Option<&str> {
    case_id.strip_prefix(VERIFYHQ_PREFIX)
}

/// A VerifyHQ id (verification or user) the desk accepts: 1 to 64 letters, digits, `_` or `-`.
pub fn valid_verifyhq_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_names_the_provider() {
        let didit = "0b7c2b4e-3f0a-4d6e-9a51-2f3c4d5e6f70";
        assert_eq!(Provider::of(didit), Provider::Didit);
        let vhq = verifyhq_case_id("ver_abc123");
        assert_eq!(Provider::of(&vhq), Provider::VerifyHq);
        assert_eq!(verifyhq_id(&vhq), Some("ver_abc123"));
        assert_eq!(verifyhq_id(didit), None);
        assert!(!Provider::VerifyHq.capabilities().blocklist);
        assert!(Provider::Didit.capabilities().aml_hits);
        assert!(valid_verifyhq_id("vhq_user_0001"));
        for bad in ["", "a/b", "x y", "é", &"a".repeat(65)] {
            assert!(!valid_verifyhq_id(bad), "{bad:?}");
        }
    }
}
