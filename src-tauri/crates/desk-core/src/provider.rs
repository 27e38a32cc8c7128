//! The providers' names and the words for what a provider can do (blocklist, AML hits, steps
//! to redo, …), so the UI shows what a provider lacks as absent instead of failing on it. Which
//! provider a case is, and what that provider can do, each adapter says of its own cases
//! (`CaseSource::provider_of`, `CaseSource::capabilities_of`): no registry of ids lives here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    pub fn name(self) -> &'static str {
        match self {
            Self::Didit => "Didit",
            Self::VerifyHq => "VerifyHQ",
        }
    }
}

impl Capabilities {
    /// Why `provider` cannot be asked to redo single steps (None when it can).
    pub fn redo_refusal(&self, provider: Provider) -> Option<String> {
        (!self.redo_steps).then(|| {
            format!(
                "{} cannot be asked to redo single steps: a resubmission starts a new verification",
                provider.name()
            )
        })
    }
}
